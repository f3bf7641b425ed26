/** One checked target, the two checks every target is made of, and why one cannot be checked. */
import type { ConfigResults } from "../results.ts";
import type { MetricKey } from "./metrics.ts";

export interface TargetCheck {
  target: string;
  /** true met, false missed, undefined could not be checked. */
  met: boolean | undefined;
  measured: string;
  /** How far off, when missed. */
  miss?: string;
}

export const f = (n: number, digits = 2) => n.toFixed(digits);
export const times = (n: number) => `${f(n)}×`;

export function atLeast(
  target: string,
  value: number | undefined,
  goal: number,
  show: (n: number) => string,
  why?: string,
): TargetCheck {
  if (value === undefined) return { target, met: undefined, measured: why ?? "not measured" };
  const met = value >= goal;
  const check: TargetCheck = { target, met, measured: show(value) };
  if (!met)
    check.miss = `short by ${show(goal - value)} (${f(((goal - value) / goal) * 100, 0)} % under the target)`;
  return check;
}

export function atMost(
  target: string,
  value: number | undefined,
  goal: number,
  show: (n: number) => string,
  why?: string,
): TargetCheck {
  if (value === undefined) return { target, met: undefined, measured: why ?? "not measured" };
  const met = value <= goal;
  const check: TargetCheck = { target, met, measured: show(value) };
  if (!met)
    check.miss = `over by ${show(value - goal)} (${f(((value - goal) / goal) * 100, 0)} % over the target)`;
  return check;
}

/** Why a figure of `key` is missing from this run (not run, skipped, n/a, failed). */
export function whyMissing(
  byKey: ReadonlyMap<string, ConfigResults>,
  key: string,
  m?: MetricKey,
): string | undefined {
  const c = byKey.get(key);
  if (!c) return `${key} not run`;
  if (c.skipped) return `${c.label} skipped: ${c.skipped}`;
  if (m && c.na[m]) return `n/a: ${c.na[m]}`;
  return c.errors.length ? `failed: ${c.errors[0]}` : undefined;
}
