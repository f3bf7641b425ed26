import { addAbortListener, EventEmitter } from "node:events";
import { type ActiveConnection, type ConnectionEvents, ConnectionHub } from "./connection-hub.js";
import { ErrorCodes, FwdError, invalidState, toFwdError } from "./errors.js";
import type { TrafficCounters } from "./traffic.js";

/** Where a service is in its life. */
export type ServiceState =
  /** Created; start() not called yet. */
  | "new"
  | "starting"
  | "running"
  /** close() or destroy() was called: no new connections; open ones are ending. */
  | "closing"
  | "closed";

/** The events every fwd service emits. */
export interface ServiceEvents extends ConnectionEvents {
  /** close() or destroy() was called and nothing new is taken on: open connections are ending. */
  draining: [];
  /** The service has stopped; `error` if it stopped on an error it cannot go on from. */
  close: [error: FwdError | undefined];
}

/**
 * What every fwd service shares: a life (start, close, destroy), counters,
 * and the connection events. Two ways to stop, as undici: close() stops
 * accepting and resolves once the open connections have ended; destroy()
 * ends them at once.
 */
export abstract class FwdService<
  // biome-ignore lint/complexity/noBannedTypes: {} is "no extra events"
  Extra extends Record<keyof Extra, unknown[]> = {},
> extends EventEmitter<ServiceEvents & Extra> {
  /** @internal */
  protected readonly hub: ConnectionHub;
  #state: ServiceState = "new";
  #starting: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;
  #error: FwdError | undefined;
  #removeAbortListener: (() => void) | undefined;
  #settle!: { resolve: () => void; reject: (error: FwdError) => void };

  /**
   * Settles once the service has stopped: resolves after close() or
   * destroy(), rejects with the error when the service stopped on its own
   * because it cannot go on (a client's wrong token, …).
   */
  readonly done: Promise<void>;

  constructor(private readonly startSignal: AbortSignal | undefined) {
    super();
    this.hub = new ConnectionHub((event, ...args) => {
      (this as EventEmitter).emit(event, ...args);
    });
    this.done = new Promise((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
    this.done.catch(() => {}); // observed through `done` by whoever cares
  }

  get state(): ServiceState {
    return this.#state;
  }

  /** Connection and byte counters, live relays included. */
  stats(): TrafficCounters {
    return this.hub.stats();
  }

  /** The connections being relayed now. */
  connections(): ActiveConnection[] {
    return this.hub.connections();
  }

  /** Starts the service; resolves once it serves. Aborting `signal` destroys it. */
  async start(): Promise<this> {
    if (this.#state !== "new") throw invalidState(`start() was already called (${this.#state})`);
    if (this.startSignal?.aborted) {
      this.#state = "closed";
      throw new FwdError(ErrorCodes.ABORTED, "the service was aborted before it started");
    }
    this.#state = "starting";
    this.#starting = this.onStart();
    try {
      await this.#starting;
    } catch (err) {
      this.#state = "closed";
      await this.hub.destroy();
      await this.stopAccepting();
      this.#stopping = Promise.resolve();
      this.#settle.reject(toFwdError(err));
      throw err;
    }
    if (this.#state !== "starting") {
      throw new FwdError(ErrorCodes.ABORTED, "the service was closed while it started");
    }
    this.#state = "running";
    if (this.startSignal) {
      const disposable = addAbortListener(this.startSignal, () => void this.destroy());
      this.#removeAbortListener = () => disposable[Symbol.dispose]();
    }
    return this;
  }

  /** Stops accepting and resolves once every open connection has ended. */
  close(): Promise<void> {
    this.#stopping ??= this.#shutdown();
    return this.#stopping;
  }

  /** Ends every connection now; `error` (if any) is what `done` rejects with. */
  destroy(error?: FwdError): Promise<void> {
    if (this.#state === "closed") return this.#stopping ?? Promise.resolve();
    this.#error ??= error;
    void this.hub.destroy();
    return this.close();
  }

  /** The service cannot go on: it ends everything and `done` rejects with `error`. @internal */
  protected fail(error: FwdError): void {
    void this.destroy(error);
  }

  /** @internal */
  protected abstract onStart(): Promise<void>;

  /** Stops taking new connections (listeners, registrations). Called once. @internal */
  protected abstract stopAccepting(): Promise<void>;

  async #shutdown(): Promise<void> {
    const wasStarted = this.#state !== "new";
    this.#state = "closing";
    this.#removeAbortListener?.();
    // A close during start waits for the start, so nothing opens after it.
    await this.#starting?.catch(() => {});
    if (wasStarted) {
      await this.stopAccepting();
      (this as EventEmitter).emit("draining");
      await this.hub.idle();
    }
    this.#state = "closed";
    (this as EventEmitter).emit("close", this.#error);
    if (this.#error) this.#settle.reject(this.#error);
    else this.#settle.resolve();
  }
}
