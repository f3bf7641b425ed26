/**
 * What a reload has to do: compare the running configuration with the new
 * one, tunnel by tunnel (tunnels are matched by name).
 */
import type { FlagSpecs } from "../flags.js";
import type { CliSpec } from "../parse.js";
import { scopeOf } from "./check-entries.js";
import type { ResolvedConfig, ResolvedTunnel } from "./resolve.js";

export interface ConfigDiff<F extends FlagSpecs> {
  /** Program-wide keys whose value changed (e.g. server_host: every tunnel restarts). */
  program: (keyof F & string)[];
  /** Same name, same values: keep serving, keep every connection. */
  unchanged: ResolvedTunnel<F>[];
  /** Gone from the new config: stop accepting, let connections drain. */
  removed: ResolvedTunnel<F>[];
  /** New in the new config: start. */
  added: ResolvedTunnel<F>[];
  /** Same name, other values (theirs or program-wide ones): restart with `next`. */
  changed: { previous: ResolvedTunnel<F>; next: ResolvedTunnel<F>; keys: (keyof F & string)[] }[];
}

export interface DiffOptions<F extends FlagSpecs> {
  /**
   * Keys the caller applies without a restart (log_level, say): a change to
   * them is listed in `program` but leaves tunnels unchanged.
   */
  live?: Iterable<keyof F & string>;
}

function changedKeys<F extends FlagSpecs>(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  skip: ReadonlySet<string> = new Set(),
): (keyof F & string)[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => !skip.has(key) && !Object.is(before[key], after[key]));
}

/** Tunnels in `next` order for added/changed/unchanged, `previous` order for removed. */
export function diffConfigs<F extends FlagSpecs>(
  spec: CliSpec<F>,
  previous: ResolvedConfig<F>,
  next: ResolvedConfig<F>,
  options: DiffOptions<F> = {},
): ConfigDiff<F> {
  const live = new Set<string>(options.live ?? []);
  const diff: ConfigDiff<F> = {
    // Top-level defaults of per-tunnel keys show up in the tunnels they reach.
    program: changedKeys<F>(previous.program, next.program).filter(
      (key) => scopeOf(spec, key) === "program",
    ),
    unchanged: [],
    removed: [],
    added: [],
    changed: [],
  };
  const before = new Map(previous.tunnels.map((tunnel) => [tunnel.name, tunnel]));
  const names = new Set(next.tunnels.map((tunnel) => tunnel.name));
  for (const tunnel of next.tunnels) {
    const old = before.get(tunnel.name);
    if (!old) {
      diff.added.push(tunnel);
      continue;
    }
    const keys = changedKeys<F>(old.values, tunnel.values, live);
    if (keys.length === 0) diff.unchanged.push(tunnel);
    else diff.changed.push({ previous: old, next: tunnel, keys });
  }
  diff.removed = previous.tunnels.filter((tunnel) => !names.has(tunnel.name));
  return diff;
}
