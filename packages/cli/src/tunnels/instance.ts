/**
 * One running service of a tunnel: its log wiring, and how it stops. A
 * tunnel has one instance serving, and after a reload that replaced it, an
 * old one still draining next to it.
 */
import type { ConnectionInfo, TrafficCounters } from "@fwd/core";
import type { ResolvedTunnel } from "../config/resolve.js";
import type { FlagSpecs } from "../flags.js";
import type { Logger } from "../logger.js";
import { logServiceEvents, messageOf, type ProgramInfo } from "../service-log.js";
import type { RunningTunnel } from "./program.js";
import type { LastError } from "./tunnel-row.js";

export interface InstanceHooks {
  /** A connection could not be served (the row's last error). */
  onError(error: LastError): void;
  /** A relayed connection ended. */
  onClosed(info: ConnectionInfo, outcome: string, durationSeconds: number): void;
}

export class TunnelInstance<T extends RunningTunnel> {
  readonly startedAt = Date.now();
  /** When it was told to stop; undefined while it serves. */
  closingAt: number | undefined;
  /** Settles once the service has closed and its log lines are written. */
  finished: Promise<void>;

  constructor(
    readonly tunnel: ResolvedTunnel<FlagSpecs>,
    readonly running: T,
    readonly log: Logger,
    program: ProgramInfo,
    hooks: InstanceHooks,
  ) {
    const { service } = running;
    const events = logServiceEvents(service, log, program);
    service.on("connectionError", (_info, error) =>
      hooks.onError({
        code: error.code,
        message: messageOf(error, program),
        at: new Date().toISOString(),
      }),
    );
    service.on("connectionClosed", (info, summary) =>
      hooks.onClosed(info, summary.reason, summary.durationMs / 1000),
    );
    // Counted errors are written before whatever is said at the end.
    this.finished = service.done.then(
      () => events.flush(),
      () => events.flush(),
    );
  }

  /**
   * Stops taking new connections and lets open ones finish, for up to
   * `drainMs` (then they are closed), or until the caller destroys it.
   * `accepting` settles once nothing new can arrive; `closed` once all
   * is over, with the final counters.
   */
  retire(drainMs: number | undefined): {
    accepting: Promise<void>;
    closed: Promise<TrafficCounters>;
  } {
    this.closingAt = Date.now();
    const { service } = this.running;
    const accepting = new Promise<void>((resolve) => service.once("draining", resolve));
    const closing = service.close();
    const timer =
      drainMs === undefined ? undefined : setTimeout(() => void service.destroy(), drainMs);
    timer?.unref();
    const closed = this.finished.then(async () => {
      await closing;
      clearTimeout(timer);
      return service.stats();
    });
    return { accepting: Promise.race([accepting, closing]), closed };
  }
}
