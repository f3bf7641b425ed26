/**
 * "Did you mean …?" for a mistyped flag or config key: the nearest known
 * name by edit distance, when it is near enough to be what was meant.
 */

/**
 * Edits (insert, delete, substitute, swap two neighbours) that turn `a` into
 * `b`: the optimal-string-alignment form of Damerau–Levenshtein distance.
 */
export function editDistance(a: string, b: string): number {
  // rows[i][j]: distance between the first i characters of a and the first j of b.
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const above = rows[i - 1]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(above[j]! + 1, row[j - 1]! + 1, above[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      }
      row.push(best);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

/** How many edits still count as a typo: more for longer names. */
function tolerance(name: string): number {
  if (name.length <= 3) return 1;
  if (name.length <= 8) return 2;
  return 3;
}

/**
 * The known name `given` most likely meant, or undefined. Dashes and case
 * count for nothing (--bind-port, --Bind_Port); a name missing its prefix
 * (target_host for server_target_host) is found too.
 */
export function suggestName(given: string, known: Iterable<string>): string | undefined {
  const normal = (name: string) => name.toLowerCase().replace(/-/g, "_");
  const wanted = normal(given);
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  const suffixOf: string[] = [];
  for (const name of known) {
    const candidate = normal(name);
    if (candidate.endsWith(`_${wanted}`)) suffixOf.push(name);
    const distance = editDistance(wanted, candidate);
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  if (best !== undefined && bestDistance <= tolerance(wanted)) return best;
  // Only a suffix that points at one name is a hint; two would be a guess.
  return suffixOf.length === 1 ? suffixOf[0] : undefined;
}
