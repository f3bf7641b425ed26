/**
 * Repetition r runs the configurations starting from the r-th one (A B C,
 * B C A, C A B, ...), so a slow drift of the machine (heat, a background job)
 * falls on every configuration alike instead of on whichever runs last.
 */
export function rotate<T>(items: readonly T[], rep: number): T[] {
  if (items.length === 0) return [];
  const start = rep % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}
