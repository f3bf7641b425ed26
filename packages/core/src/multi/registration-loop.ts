import { setMaxListeners } from "node:events";
import { Backoff, type BackoffOptions } from "../backoff.js";
import type { FwdError } from "../errors.js";
import { sleep } from "../sleep.js";

/** How one registration attempt ended. */
export type RegistrationOutcome =
  /** A public connection was paired with it: register again at once. */
  | { kind: "paired" }
  /** Nothing paired before the registration timeout: renew it at once. */
  | { kind: "expired" }
  /** The server said the port is taken (EX): back off and try again. */
  | { kind: "refused"; error: FwdError }
  /** Unreachable, closed without a reply, bad reply: back off and try again. */
  | { kind: "error"; error: FwdError }
  /** Cannot go on (bad token, port not allowed): stop the client. */
  | { kind: "fatal"; error: FwdError };

/** What the loop reports, once per change. */
export type RegistrationState =
  /** A registration is on the wire. */
  | { state: "registered" }
  /** The server said the port is taken; retrying after `retryInMs`. */
  | { state: "refused"; error: FwdError; retryInMs: number }
  /** The server could not be reached or answered wrong; retrying after `retryInMs`. */
  | { state: "retrying"; error: FwdError; retryInMs: number }
  /** Stopped: by stop(), or on `error`, which retrying cannot fix. */
  | { state: "stopped"; error?: FwdError };

export interface RegistrationContext {
  signal: AbortSignal;
  /** Call once the request is on the wire: the loop reports "registered". */
  registered(): void;
}

export interface RegistrationLoopOptions {
  /** Registrations kept waiting at once (1 against legacy servers). */
  slots: number;
  attempt(context: RegistrationContext): Promise<RegistrationOutcome>;
  /** Told of each change of state; repeated failures of one kind are told once. */
  onState(state: RegistrationState): void;
  backoff?: BackoffOptions;
}

/**
 * Keeps `slots` registrations waiting at a multi-server at all times: a
 * paired or expired one is renewed at once, a failed one after an
 * exponential backoff with jitter. Never a busy loop, and never a log line
 * per attempt. Stops on stop() or on a fatal outcome.
 */
export class RegistrationLoop {
  private readonly controller = new AbortController();
  private readonly backoff: Backoff;
  private lastReported = "";
  private fatal: FwdError | undefined;
  readonly done: Promise<void>;

  constructor(private readonly options: RegistrationLoopOptions) {
    this.backoff = new Backoff(options.backoff);
    setMaxListeners(0, this.controller.signal);
    const slots = Array.from({ length: options.slots }, () => this.runSlot());
    this.done = Promise.all(slots).then(() => {
      const stopped: RegistrationState = this.fatal
        ? { state: "stopped", error: this.fatal }
        : { state: "stopped" };
      this.options.onState(stopped);
    });
  }

  stop(): Promise<void> {
    this.controller.abort();
    return this.done;
  }

  private get signal(): AbortSignal {
    return this.controller.signal;
  }

  private report(key: string, state: RegistrationState): void {
    if (key === this.lastReported) return;
    this.lastReported = key;
    this.options.onState(state);
  }

  private async runSlot(): Promise<void> {
    while (!this.signal.aborted) {
      let outcome: RegistrationOutcome;
      try {
        outcome = await this.options.attempt({
          signal: this.signal,
          registered: () => this.report("registered", { state: "registered" }),
        });
      } catch (err) {
        if (this.signal.aborted) return;
        throw err;
      }
      if (this.signal.aborted) return;
      switch (outcome.kind) {
        case "paired":
        case "expired":
          this.backoff.reset();
          continue;
        case "fatal":
          this.fatal = outcome.error;
          this.controller.abort();
          return;
        case "refused":
        case "error": {
          const retryInMs = this.backoff.next();
          const state = outcome.kind === "refused" ? "refused" : "retrying";
          this.report(`${state}:${outcome.error.code}`, {
            state,
            error: outcome.error,
            retryInMs,
          });
          try {
            await sleep(retryInMs, this.signal);
          } catch {
            return; // stopped while waiting
          }
        }
      }
    }
  }
}
