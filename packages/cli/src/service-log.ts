import type { ActiveConnection, FwdService, ServiceEvents, TrafficCounters } from "@fwd/core";
import createDebug from "debug";
import type { FlagSpecs } from "./flags.js";
import { formatBytes, type Logger, plural } from "./logger.js";
import { RepeatLimiter } from "./rate-limit.js";
import { inFlagWords } from "./usage-error.js";

export type ServiceListener<K extends keyof ServiceEvents> = (...args: ServiceEvents[K]) => void;

/** The program a service runs in: its name (for debug namespaces) and flags (for error wording). */
export interface ProgramInfo {
  name: string;
  flags: FlagSpecs;
}

/** An error's message in the program's flag words. */
export function messageOf(error: Error, program: ProgramInfo): string {
  return (inFlagWords(error, program.flags) as Error).message;
}

/** Any fwd service, whatever events it adds to the common ones. */
export interface AnyService
  extends Pick<FwdService, "close" | "destroy" | "stats" | "connections" | "done" | "state"> {
  once(event: "draining", listener: () => void): unknown;
  on(event: "connection", listener: ServiceListener<"connection">): unknown;
  on(event: "connectionError", listener: ServiceListener<"connectionError">): unknown;
  on(event: "connectionClosed", listener: ServiceListener<"connectionClosed">): unknown;
}

/**
 * Wires a service's events to its log: one error line per connection that
 * could not be served (a flood of one kind is counted, not written: see
 * RepeatLimiter), and with --log_level debug (or DEBUG=fwd:<program>:conn)
 * a line per connection opened and closed. Returns what flushes the counts.
 */
export function logServiceEvents(
  service: AnyService,
  log: Logger,
  program: ProgramInfo,
): { flush(): void } {
  const debugConn = createDebug(`fwd:${program.name}:conn`);
  const detail = (line: string) => {
    if (log.enabled("debug")) log.debug(line);
    else if (debugConn.enabled) debugConn("%s", line);
  };
  // Kinds are error codes: every line, the count included, carries its code.
  const limiter = new RepeatLimiter((line, code) => log.error(line, { code }));
  service.on("connection", (info) => detail(`connection #${info.id} from ${info.remote}`));
  service.on("connectionError", (info, error) => {
    const line = `connection #${info.id} from ${info.remote}: ${messageOf(error, program)}`;
    detail(line);
    limiter.line(error.code, line, `connection errors ${error.code}`);
  });
  service.on("connectionClosed", (info, summary) =>
    detail(
      `connection #${info.id} from ${info.remote} to ${info.target ?? "?"} closed (${summary.reason}): ` +
        `${formatBytes(summary.bytes.aToB)} in, ${formatBytes(summary.bytes.bToA)} out, ` +
        `${(summary.durationMs / 1000).toFixed(1)} s${summary.error ? ` (${summary.error.message})` : ""}`,
    ),
  );
  return { flush: () => limiter.flush() };
}

/**
 * "served 3 connections (1 failed): 12.3 MB from clients, 1.2 GB to clients":
 * bytes named by direction, seen from the side that connects (`peers`).
 */
export function trafficSummary(stats: TrafficCounters, peers: string, noun = "connection"): string {
  return (
    `served ${plural(stats.accepted, noun)} (${stats.failed} failed): ` +
    `${formatBytes(stats.bytesIn)} from ${peers}, ${formatBytes(stats.bytesOut)} to ${peers}`
  );
}

/** "#3 10.0.0.5:50123 → 192.168.1.20:3389" for a few open connections. */
export function describeConnections(open: readonly ActiveConnection[], tunnel?: string): string[] {
  return open.map(
    ({ info }) =>
      `${tunnel === undefined ? "" : `${tunnel} `}#${info.id} ${info.remote}${info.target ? ` → ${info.target}` : ""}`,
  );
}

/** "2 open connections (#3 10.0.0.5:50123 → 192.168.1.20:3389, …)", or undefined when none are open. */
export function describeOpen(shown: readonly string[]): string | undefined {
  if (shown.length === 0) return undefined;
  const first = shown.slice(0, 3);
  const more = shown.length > first.length ? `, ${shown.length - first.length} more` : "";
  return `${plural(shown.length, "open connection")} (${first.join(", ")}${more})`;
}
