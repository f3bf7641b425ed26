/**
 * One tunnel's status row, from what its services count. A tunnel that a
 * reload restarted has an old instance draining next to the new one: the
 * row adds both up, and keeps the totals of instances that have ended, so
 * counters never go down while the program runs.
 */
import type { ActiveConnection, ServiceState, TrafficCounters } from "@fwd/core";
import type { ConnectionStatus, TunnelState, TunnelStatus } from "@fwd/status";
import { plural } from "../logger.js";
import type { RunningTunnel, TunnelDescription } from "./program.js";

export type Totals = Pick<TrafficCounters, "accepted" | "failed" | "bytesIn" | "bytesOut"> & {
  outcomes: Record<string, number>;
};

export type LastError = NonNullable<TunnelStatus["lastError"]>;

export function emptyTotals(): Totals {
  return { accepted: 0, failed: 0, bytesIn: 0, bytesOut: 0, outcomes: {} };
}

/** Adds `stats` into `into` (mutates it). */
export function addTotals(into: Totals, stats: TrafficCounters | Totals): Totals {
  into.accepted += stats.accepted;
  into.failed += stats.failed;
  into.bytesIn += stats.bytesIn;
  into.bytesOut += stats.bytesOut;
  for (const [outcome, count] of Object.entries(stats.outcomes)) {
    into.outcomes[outcome] = (into.outcomes[outcome] ?? 0) + (count ?? 0);
  }
  return into;
}

/** One running or draining service of a tunnel. */
export interface InstanceView {
  running: RunningTunnel;
  /** When it started serving, and when it was told to stop (ms since the epoch). */
  startedAt: number;
  closingAt: number | undefined;
}

export interface RowInput {
  name: string;
  /** The instance serving now; undefined for a removed tunnel that still drains. */
  current: InstanceView | undefined;
  draining: readonly InstanceView[];
  carried: Totals;
  lastError: LastError | undefined;
  /** Why nothing serves while some still drains: a reload removed it, or the program stops. */
  ending: "removed" | "stopping";
}

/** The most connections a row lists (the status page shows the newest). */
const MAX_LISTED = 100;

function stateOf(state: ServiceState, described: TunnelDescription): TunnelState {
  switch (state) {
    case "new":
    case "starting":
      return "connecting";
    case "running":
      return described.state ?? "up";
    case "closing":
      return "draining";
    case "closed":
      return "stopped";
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

function listed(open: ActiveConnection[]): ConnectionStatus[] {
  return open
    .sort((a, b) => b.info.startedAt - a.info.startedAt)
    .slice(0, MAX_LISTED)
    .map(({ info, bytes }) => ({
      id: info.id,
      remote: info.remote,
      ...(info.target === undefined ? {} : { target: info.target }),
      startedAt: iso(info.startedAt),
      bytes: { ...bytes },
    }));
}

function later(a: LastError | undefined, b: LastError | undefined): LastError | undefined {
  if (!a || !b) return a ?? b;
  return a.at >= b.at ? a : b;
}

/** The row of a tunnel; undefined once nothing of it runs. */
export function tunnelRow(input: RowInput): TunnelStatus | undefined {
  const shown = input.current ?? input.draining.at(-1);
  if (!shown) return undefined;
  const instances = [...(input.current ? [input.current] : []), ...input.draining];
  const totals = addTotals(emptyTotals(), input.carried);
  const open: ActiveConnection[] = [];
  for (const instance of instances) {
    addTotals(totals, instance.running.service.stats());
    open.push(...instance.running.service.connections());
  }
  const described = shown.running.describe();
  const removed = input.current === undefined;
  const state = removed ? "draining" : stateOf(shown.running.service.state, described);
  const since =
    state === "draining" && shown.closingAt !== undefined
      ? shown.closingAt
      : (described.stateSince ?? iso(shown.startedAt));
  const { kind, detail, state: _state, stateSince: _since, lastError, ...fields } = described;
  return {
    name: input.name,
    kind,
    state,
    stateSince: typeof since === "number" ? iso(since) : since,
    detail: removed
      ? `${input.ending === "removed" ? "removed from the configuration" : "stopping"}: ${plural(open.length, "open connection")} finishing`
      : detail,
    ...fields,
    connections: { active: open.length, total: totals.outcomes },
    bytes: { in: totals.bytesIn, out: totals.bytesOut },
    active: listed(open),
    ...withLastError(later(input.lastError, lastError)),
  };
}

function withLastError(error: LastError | undefined): Pick<TunnelStatus, "lastError"> {
  return error ? { lastError: error } : {};
}
