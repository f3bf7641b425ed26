/** What a run collects, before any statistics: one value per repetition. */
import type { MetricKey } from "./report/metrics.ts";

export interface ConfigResults {
  key: string;
  label: string;
  hops: number;
  /** Why it did not run at all (a tool is missing). */
  skipped?: string;
  /** Per metric, one entry per repetition; undefined where nothing was measured. */
  values: Partial<Record<MetricKey, Array<number | undefined>>>;
  /** Figures that cannot be measured through this configuration, and why. */
  na: Partial<Record<MetricKey, string>>;
  /** Measurements that failed: these make the run exit non-zero. */
  errors: string[];
  /** Extra facts worth printing (how many connections the memory test held, ...). */
  notes: string[];
}

export function emptyResults(key: string, label: string, hops: number): ConfigResults {
  return { key, label, hops, values: {}, na: {}, errors: [], notes: [] };
}

export function record(results: ConfigResults, key: MetricKey, rep: number, value: number): void {
  const list = results.values[key] ?? [];
  list[rep] = value;
  results.values[key] = list;
}
