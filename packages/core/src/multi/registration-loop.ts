import { setMaxListeners } from "node:events";
import type { BackoffOptions } from "../backoff.js";
import { type FwdError, toFwdError } from "../errors.js";
import { Outage } from "./outage.js";

/** How one registration attempt ended. */
export type RegistrationOutcome =
  /** A visitor was paired with it: register again at once. */
  | { kind: "paired" }
  /** Nothing paired before the registration timeout (legacy): renew it at once. */
  | { kind: "expired" }
  /** A registered link died (heartbeats stopped): register again at once. */
  | { kind: "lost"; error: FwdError }
  /** Try again at once (the server's protocol was just learned). */
  | { kind: "again" }
  /** The server said the port is taken: back off and try again. */
  | { kind: "refused"; error: FwdError }
  /** Unreachable, closed without a reply, bad reply: back off and try again. */
  | { kind: "error"; error: FwdError }
  /** Cannot go on (bad token, port not allowed): stop the client. */
  | { kind: "fatal"; error: FwdError };

/** What the loop reports, once per change. */
export type RegistrationState =
  /** The server confirmed the public port (v2 reply, or a legacy server's first OK). */
  | {
      state: "registered";
      protocol: "legacy" | "v2";
      /** The public port, as the server opened it. */
      port: number;
      /** How long the tunnel was down before this, if it was. */
      downForMs?: number;
    }
  /** Legacy: the request is sent; a legacy server answers only when a visitor comes. */
  | { state: "requested" }
  /** The server said the port is taken; retrying after `retryInMs`. */
  | { state: "refused"; error: FwdError; retryInMs: number }
  /** The server cannot be reached, or the link to it died; retrying after `retryInMs`. */
  | { state: "retrying"; error: FwdError; retryInMs: number }
  /** Stopped: by stop(), or on `error`, which retrying cannot fix. */
  | { state: "stopped"; error?: FwdError };

export interface RegistrationContext {
  signal: AbortSignal;
  /** The server confirmed the registration. */
  registered(protocol: "legacy" | "v2", port: number): void;
  /** Legacy: the request is on the wire, unanswered. */
  requested(): void;
}

export interface RegistrationLoopOptions {
  /** Registrations kept waiting at once (1 against legacy servers). */
  slots: () => number;
  attempt(context: RegistrationContext): Promise<RegistrationOutcome>;
  /** Told of each change of state; repeated failures of one kind are told once. */
  onState(state: RegistrationState): void;
  backoff?: BackoffOptions | undefined;
}

/**
 * Keeps registrations waiting at a multi-server at all times: a paired,
 * expired or lost one is re-made at once; failures put the whole loop in an
 * outage, paced by one shared backoff (see Outage). Never a busy loop, and
 * never a log line per attempt. Stops on stop() or on a fatal outcome.
 */
export class RegistrationLoop {
  private readonly controller = new AbortController();
  private readonly outage: Outage;
  private lastReported = "";
  /** Registrations the server confirmed and that are still waiting or relaying. */
  private live = 0;
  /** When the tunnel went down (no live registration left after a loss or failure). */
  private downSince: number | undefined = performance.now();
  private fatal: FwdError | undefined;
  private workers = 0;
  private readonly finished: Promise<void>;
  private wakeDone!: () => void;

  constructor(private readonly options: RegistrationLoopOptions) {
    this.outage = new Outage(options.backoff);
    setMaxListeners(0, this.controller.signal);
    this.finished = new Promise((resolve) => {
      this.wakeDone = resolve;
    });
    this.fill();
  }

  /** Resolves once every worker has stopped. */
  get done(): Promise<void> {
    return this.finished;
  }

  stop(): Promise<void> {
    this.controller.abort();
    return this.finished;
  }

  private get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Starts workers up to the number of slots (it grows once the server is known to be v2). */
  private fill(): void {
    while (!this.signal.aborted && this.workers < this.options.slots()) {
      this.workers++;
      void this.runWorker().finally(() => {
        if (--this.workers > 0) return;
        this.options.onState(
          this.fatal ? { state: "stopped", error: this.fatal } : { state: "stopped" },
        );
        this.wakeDone();
      });
    }
  }

  private report(key: string, state: RegistrationState): void {
    if (key === this.lastReported) return;
    this.lastReported = key;
    this.options.onState(state);
  }

  /** A context for one attempt: it counts its registration live from the server's answer on. */
  private contextFor(attempt: { registered: boolean }): RegistrationContext {
    return {
      signal: this.signal,
      registered: (protocol, port) => {
        attempt.registered = true;
        this.live++;
        this.outage.ended();
        const state: RegistrationState = { state: "registered", protocol, port };
        if (this.downSince !== undefined) {
          if (this.lastReported !== "" && this.lastReported !== "requested") {
            state.downForMs = Math.round(performance.now() - this.downSince);
          }
          this.downSince = undefined;
        }
        this.report(`registered:${protocol}:${port}`, state);
        this.fill();
      },
      requested: () => {
        if (this.downSince !== undefined) this.report("requested", { state: "requested" });
      },
    };
  }

  private async runWorker(): Promise<void> {
    while (!this.signal.aborted) {
      if (this.workers > this.options.slots()) return; // fewer slots now (a legacy server)
      try {
        await this.outage.turn(this.signal);
      } catch {
        return; // stopped while waiting
      }
      const attempt = { registered: false };
      let outcome: RegistrationOutcome;
      try {
        outcome = await this.options.attempt(this.contextFor(attempt));
      } catch (err) {
        outcome = { kind: "error", error: toFwdError(err) };
      } finally {
        if (attempt.registered) this.live--;
      }
      if (this.signal.aborted) return;
      this.settle(outcome);
      if (outcome.kind === "fatal") return;
    }
  }

  private settle(outcome: RegistrationOutcome): void {
    switch (outcome.kind) {
      case "paired":
      case "expired":
      case "again":
        return;
      case "fatal":
        this.fatal = outcome.error;
        this.controller.abort();
        return;
      case "lost":
        // A link died; the tunnel is down only when none is left.
        if (this.live > 0) return;
        this.downSince ??= performance.now();
        this.report(`retrying:${outcome.error.code}`, {
          state: "retrying",
          error: outcome.error,
          retryInMs: 0,
        });
        return;
      case "refused":
      case "error": {
        const retryInMs = this.outage.failed();
        if (this.live > 0) return;
        this.downSince ??= performance.now();
        const state = outcome.kind === "refused" ? "refused" : "retrying";
        this.report(`${state}:${outcome.error.code}`, {
          state,
          error: outcome.error,
          retryInMs,
        });
      }
    }
  }
}
