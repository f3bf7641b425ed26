import { addAbortListener, EventEmitter, setMaxListeners } from "node:events";
import type { Duplex } from "node:stream";
import createDebug from "debug";
import { ErrorCodes, FwdError, isFwdError } from "./errors.js";
import { type Relay, type RelayOptions, type RelaySummary, relay } from "./relay.js";
import { Traffic, type TrafficCounters } from "./traffic.js";

const debug = createDebug("fwd:core:service");

/** What a service knows of one connection it serves. */
export interface ConnectionInfo {
  /** Sequence number within this service, from 1. */
  id: number;
  /** The peer's address, `host:port`. */
  remote: string;
  /** Where the connection is relayed to, once known, `host:port`. */
  target?: string;
  /** The unique id the peer sent in its handshake, if any. */
  clientId?: string;
}

export interface ServiceEvents {
  /** A connection was taken on. */
  connection: [info: ConnectionInfo];
  /** A relayed connection ended: bytes, duration and reason. */
  connectionClosed: [info: ConnectionInfo, summary: RelaySummary];
  /** A connection could not be served (bad handshake, target unreachable, …). */
  connectionError: [info: ConnectionInfo, error: FwdError];
  /** The service stopped: every connection ended. */
  close: [];
}

type EventMap<T> = Record<keyof T, unknown[]>;

/**
 * The bookkeeping every fwd service shares: it counts connections and bytes,
 * keeps every socket and relay it owns, and on close() tears all of them
 * down and waits for them before resolving.
 */
// biome-ignore lint/complexity/noBannedTypes: {} is "no extra events"
export abstract class ConnectionHub<Extra extends EventMap<Extra> = {}> extends EventEmitter<
  ServiceEvents & Extra
> {
  private readonly traffic = new Traffic();
  private readonly sockets = new Set<Duplex>();
  private readonly relays = new Set<Relay>();
  private readonly stopping = new AbortController();
  private closing: Promise<void> | undefined;
  private nextId = 1;
  private removeAbortListener: (() => void) | undefined;

  /** Rejects if the service meets an error it cannot go on from (a client's wrong token, …). */
  readonly failed: Promise<never>;
  private rejectFailed!: (error: FwdError) => void;

  constructor() {
    super();
    // Every dial and handshake in flight listens on it: many is normal, not a leak.
    setMaxListeners(0, this.stopping.signal);
    this.failed = new Promise<never>((_, reject) => {
      this.rejectFailed = reject;
    });
    this.failed.catch(() => {}); // observed through `failed` by whoever cares
  }

  /** Gives up: `failed` rejects with `error` (the runner then closes the service). */
  protected failFatally(error: FwdError): void {
    this.rejectFailed(error);
  }

  /** Aborted when the service closes: pass it to work a connection waits on. */
  protected get shutdownSignal(): AbortSignal {
    return this.stopping.signal;
  }

  /** True once close() has been called. */
  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** Connection and byte counters, live relays included. */
  stats(): TrafficCounters {
    return this.traffic.snapshot();
  }

  /** on() for the events every service has, typed the same whatever a subclass adds. */
  onService<K extends keyof ServiceEvents>(
    event: K,
    listener: (...args: ServiceEvents[K]) => void,
  ): this {
    (this as unknown as EventEmitter).on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Stops the service, ends every connection, resolves when all are closed. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** Closes the service when `signal` aborts. */
  protected closeOnAbort(signal: AbortSignal | undefined): void {
    if (!signal) return;
    const disposable = addAbortListener(signal, () => void this.close());
    this.removeAbortListener = () => disposable[Symbol.dispose]();
  }

  /** Stops whatever the subclass listens or dials with; called once by close(). */
  protected async stopAccepting(): Promise<void> {}

  /** Registers a new connection: counts it and announces it. */
  protected opened(remote: string): ConnectionInfo {
    const info: ConnectionInfo = { id: this.nextId++, remote };
    this.traffic.opened();
    this.emitService("connection", info);
    return info;
  }

  /** A connection could not be served: count it, log it, tell listeners. */
  protected markFailed(info: ConnectionInfo, err: unknown): void {
    const error = isFwdError(err)
      ? err
      : new FwdError(ErrorCodes.NETWORK, String((err as Error)?.message ?? err), { cause: err });
    this.traffic.failedOne();
    debug("#%d %s failed: %s", info.id, info.remote, error.message);
    this.emitService("connectionError", info, error);
  }

  /** Keeps a socket this service opened so close() can tear it down. */
  protected track(socket: Duplex): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
  }

  /** Relays the near side (`a`) and the far side (`b`), counted and tracked. */
  protected startRelay(
    a: Duplex,
    b: Duplex,
    info: ConnectionInfo,
    options: RelayOptions = {},
  ): Relay {
    const active = relay(a, b, { label: `#${info.id} ${info.remote}`, ...options });
    this.relays.add(active);
    this.traffic.relaying(active);
    active.once("close", (summary) => {
      this.relays.delete(active);
      this.emitService("connectionClosed", info, summary);
    });
    if (this.closing) void active.close();
    return active;
  }

  /** emit() for the events every service has, whatever a subclass adds. */
  private emitService<K extends keyof ServiceEvents>(event: K, ...args: ServiceEvents[K]): void {
    (this as unknown as EventEmitter).emit(event, ...args);
  }

  private async shutdown(): Promise<void> {
    this.removeAbortListener?.();
    this.stopping.abort();
    const stopped = this.stopAccepting();
    const closed = [...this.sockets].map(
      (socket) => new Promise<void>((resolve) => socket.once("close", () => resolve())),
    );
    const relays = [...this.relays].map((active) => active.close());
    for (const socket of this.sockets) socket.destroy();
    await Promise.all([stopped, ...closed, ...relays]);
    this.emitService("close");
  }
}
