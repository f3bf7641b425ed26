/** Median and range of a handful of repetitions. */

export interface Range {
  median: number;
  min: number;
  max: number;
  /** How many repetitions had a value. */
  n: number;
}

export function range(values: ReadonlyArray<number | undefined>): Range | undefined {
  const present = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (present.length === 0) return undefined;
  const sorted = [...present].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, n: sorted.length };
}

/** Combines two per-repetition series value by value (same repetition only). */
export function pairwise(
  a: ReadonlyArray<number | undefined> | undefined,
  b: ReadonlyArray<number | undefined> | undefined,
  combine: (a: number, b: number) => number,
): Array<number | undefined> {
  if (!a || !b) return [];
  const length = Math.max(a.length, b.length);
  return Array.from({ length }, (_, i) => {
    const x = a[i];
    const y = b[i];
    return x === undefined || y === undefined ? undefined : combine(x, y);
  });
}
