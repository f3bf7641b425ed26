import type { FwdService, ServiceEvents } from "@fwd/core";

type Listener<K extends keyof ServiceEvents> = (...args: ServiceEvents[K]) => void;

import createDebug from "debug";
import type { FlagSpecs } from "./flags.js";
import { formatBytes, type Logger } from "./logger.js";
import { LineLimiter } from "./rate-limit.js";
import type { Running } from "./run.js";
import { inFlagWords } from "./usage-error.js";

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
  extends Pick<FwdService, "close" | "destroy" | "stats" | "connections" | "done"> {
  once(event: "draining", listener: () => void): unknown;
  on(event: "connection", listener: Listener<"connection">): unknown;
  on(event: "connectionError", listener: Listener<"connectionError">): unknown;
  on(event: "connectionClosed", listener: Listener<"connectionClosed">): unknown;
}

/**
 * Wires a service's events to the log: one line per connection that could
 * not be served, per-connection detail under DEBUG=fwd:<program>:conn.
 */
export function logServiceEvents(service: AnyService, log: Logger, program: ProgramInfo): void {
  const debug = createDebug(`fwd:${program.name}:conn`);
  const errors = new LineLimiter((line) => log.error(line));
  service.on("connection", (info) => debug("#%d from %s", info.id, info.remote));
  service.on("connectionError", (info, error) => {
    const message = messageOf(error, program);
    debug("#%d from %s failed: %s", info.id, info.remote, message);
    errors.line(`connection #${info.id} from ${info.remote}: ${message}`);
  });
  service.on("connectionClosed", (info, summary) =>
    debug(
      "#%d from %s to %s closed (%s): %s in, %s out, %d ms%s",
      info.id,
      info.remote,
      info.target ?? "?",
      summary.reason,
      formatBytes(summary.bytes.aToB),
      formatBytes(summary.bytes.bToA),
      summary.durationMs,
      summary.error ? ` (${summary.error.message})` : "",
    ),
  );
}

/** "2 connections (#3 10.0.0.5:50123 → 192.168.1.20:3389, …)", or undefined when none are open. */
export function describeOpen(service: Pick<AnyService, "connections">): string | undefined {
  const open = service.connections();
  if (open.length === 0) return undefined;
  const shown = open
    .slice(0, 3)
    .map(({ info }) => `#${info.id} ${info.remote}${info.target ? ` → ${info.target}` : ""}`);
  const more = open.length > shown.length ? `, ${open.length - shown.length} more` : "";
  return `${open.length} open connection${open.length === 1 ? "" : "s"} (${shown.join(", ")}${more})`;
}

/**
 * Logs a service's events and hands the runner a close() that stops the
 * service and prints one summary line.
 */
export function superviseService(service: AnyService, log: Logger, program: ProgramInfo): Running {
  logServiceEvents(service, log, program);
  const summarize = () => {
    const stats = service.stats();
    log.info(
      `served ${stats.accepted} connection${stats.accepted === 1 ? "" : "s"} (${stats.failed} failed): ` +
        `${formatBytes(stats.bytesIn)} in, ${formatBytes(stats.bytesOut)} out`,
    );
  };
  let summarized = false;
  const once = () => {
    if (!summarized) summarize();
    summarized = true;
  };
  return {
    done: service.done,
    openSummary: () => describeOpen(service),
    async close(onDraining) {
      if (onDraining) service.once("draining", onDraining);
      await service.close();
      once();
    },
    async destroy() {
      await service.destroy();
      once();
    },
  };
}
