/**
 * From raw repetitions to reported figures: the median and range of each
 * value, of its ratio to direct in the same repetition, and for times of what
 * it adds to direct (in total and per hop).
 */
import type { ConfigResults } from "../results.ts";
import { type MetricKey, metrics } from "./metrics.ts";
import { pairwise, type Range, range } from "./stats.ts";

export interface Figure {
  value?: Range;
  /** value / direct's value, repetition by repetition. */
  ratio?: Range;
  /** value − direct's value (times only). */
  added?: Range;
  /** added / hops (times only). */
  addedPerHop?: Range;
  na?: string;
}

export type Summary = Record<string, Partial<Record<MetricKey, Figure>>>;

export function summarize(all: readonly ConfigResults[]): Summary {
  const direct = all.find((c) => c.key === "direct");
  const summary: Summary = {};
  for (const config of all) {
    const figures: Partial<Record<MetricKey, Figure>> = {};
    for (const m of metrics) {
      const own = config.values[m.key];
      const figure: Figure = {};
      const value = range(own ?? []);
      if (value) figure.value = value;
      if (config.na[m.key]) figure.na = config.na[m.key]!;
      if (m.perRep && direct && config !== direct) {
        const base = direct.values[m.key];
        const ratio = range(pairwise(own, base, (v, d) => (d > 0 ? v / d : Number.NaN)));
        if (ratio) figure.ratio = ratio;
        if (m.latency) {
          const added = pairwise(own, base, (v, d) => v - d);
          const addedRange = range(added);
          if (addedRange) figure.added = addedRange;
          const perHop = range(added.map((a) => (a === undefined ? a : a / config.hops)));
          if (perHop) figure.addedPerHop = perHop;
        }
      }
      if (figure.value || figure.na) figures[m.key] = figure;
    }
    summary[config.key] = figures;
  }
  return summary;
}
