import type { ServiceEvents, TrafficCounters } from "@fwd/core";
import createDebug from "debug";
import { formatBytes, type Logger } from "./logger.js";
import { LineLimiter } from "./rate-limit.js";
import type { Running } from "./run.js";

/** Any fwd service, whatever events it adds to the common ones. */
export interface ObservableService {
  onService<K extends keyof ServiceEvents>(
    event: K,
    listener: (...args: ServiceEvents[K]) => void,
  ): unknown;
  close(): Promise<void>;
  stats(): TrafficCounters;
  /** Rejects on an error the service cannot go on from. */
  failed: Promise<never>;
}

/**
 * Wires a service's events to the log: one line per connection that could
 * not be served, per-connection detail under DEBUG=fwd:<program>:conn.
 */
export function logServiceEvents(service: ObservableService, log: Logger, program: string): void {
  const debug = createDebug(`fwd:${program}:conn`);
  const errors = new LineLimiter((line) => log.error(line));
  service.onService("connection", (info) => debug("#%d from %s", info.id, info.remote));
  service.onService("connectionError", (info, error) => {
    debug("#%d from %s failed: %s", info.id, info.remote, error.message);
    errors.line(`connection #${info.id} from ${info.remote}: ${error.message}`);
  });
  service.onService("connectionClosed", (info, summary) =>
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

/**
 * Logs a service's events and hands the runner a close() that stops the
 * service and prints one summary line.
 */
export function superviseService(
  service: ObservableService,
  log: Logger,
  program: string,
): Running {
  logServiceEvents(service, log, program);
  return {
    failed: service.failed,
    async close() {
      await service.close();
      const stats = service.stats();
      log.info(
        `served ${stats.accepted} connection${stats.accepted === 1 ? "" : "s"} (${stats.failed} failed): ` +
          `${formatBytes(stats.bytesIn)} in, ${formatBytes(stats.bytesOut)} out`,
      );
    },
  };
}
