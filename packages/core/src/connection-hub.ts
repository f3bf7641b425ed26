import { setMaxListeners } from "node:events";
import type { Duplex } from "node:stream";
import createDebug from "debug";
import { type ConnectionInfo, type ConnectionRecord, snapshotOf } from "./connection-info.js";
import { type FwdError, toFwdError } from "./errors.js";
import { type Relay, type RelayOptions, type RelaySummary, relay } from "./relay.js";
import { Traffic, type TrafficCounters } from "./traffic.js";

const debug = createDebug("fwd:core:service");

/** The events every fwd service emits about its connections. */
export interface ConnectionEvents {
  /** A connection was taken on. */
  connection: [info: ConnectionInfo];
  /** A relayed connection ended: bytes, duration and reason. */
  connectionClosed: [info: ConnectionInfo, summary: RelaySummary];
  /** A connection could not be served (bad handshake, target unreachable, …). */
  connectionError: [info: ConnectionInfo, error: FwdError];
}

/** A connection being relayed now, as status displays show it. */
export interface ActiveConnection {
  info: ConnectionInfo;
  /** Bytes so far: `in` from the accepting side toward the target, `out` back. */
  bytes: { in: number; out: number };
}

type Emit = <K extends keyof ConnectionEvents>(event: K, ...args: ConnectionEvents[K]) => void;

/**
 * The bookkeeping behind every service: it counts connections and bytes,
 * keeps every socket and relay the service owns, and knows when all of them
 * have ended (a graceful close waits for that) or ends them at once.
 */
export class ConnectionHub {
  readonly traffic = new Traffic();
  private readonly sockets = new Set<Duplex>();
  private readonly relays = new Map<Relay, ConnectionRecord>();
  private readonly destroying = new AbortController();
  private idleWaiters: Array<() => void> = [];
  private nextId = 1;

  constructor(private readonly emit: Emit) {
    // Every dial and handshake in flight listens on it: many is normal, not a leak.
    setMaxListeners(0, this.destroying.signal);
  }

  /** Aborted by destroy(): pass it to every dial and handshake a connection waits on. */
  get signal(): AbortSignal {
    return this.destroying.signal;
  }

  get destroyed(): boolean {
    return this.destroying.signal.aborted;
  }

  /** Sockets still open: connections in their handshake and relays. */
  get openSockets(): number {
    return this.sockets.size;
  }

  /** Registers a new connection: counts it and announces it. */
  open(remote: string): ConnectionRecord {
    const record: ConnectionRecord = { id: this.nextId++, remote, startedAt: Date.now() };
    this.traffic.opened();
    this.emit("connection", snapshotOf(record));
    return record;
  }

  /** A connection that turned out not to be one (a ready link let go unused): not counted. */
  forget(record: ConnectionRecord): void {
    this.traffic.retract();
    debug("#%d %s: a ready link let go unused", record.id, record.remote);
  }

  /** A connection could not be served: count it, log it, tell listeners. */
  fail(record: ConnectionRecord, err: unknown): void {
    const error = toFwdError(err);
    this.traffic.failedOne(error.code);
    debug("#%d %s failed: %s", record.id, record.remote, error.message);
    this.emit("connectionError", snapshotOf(record), error);
  }

  /** Keeps a socket the service opened or accepted until it closes. */
  track(socket: Duplex): void {
    if (this.destroyed) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.once("close", () => {
      this.sockets.delete(socket);
      if (this.sockets.size === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    });
  }

  /** Relays the near side (`a`) and the far side (`b`), counted and tracked. */
  startRelay(a: Duplex, b: Duplex, record: ConnectionRecord, options: RelayOptions = {}): Relay {
    const active = relay(a, b, { label: `#${record.id} ${record.remote}`, ...options });
    this.relays.set(active, record);
    this.traffic.relaying(active);
    active.once("close", (summary) => {
      this.relays.delete(active);
      this.emit("connectionClosed", snapshotOf(record), summary);
    });
    if (this.destroyed) void active.close();
    return active;
  }

  stats(): TrafficCounters {
    return this.traffic.snapshot();
  }

  /** The connections being relayed now, oldest first. */
  connections(): ActiveConnection[] {
    return [...this.relays].map(([active, record]) => ({
      info: snapshotOf(record),
      bytes: { in: active.bytes.aToB, out: active.bytes.bToA },
    }));
  }

  /** Resolves once every socket the service holds has closed. */
  idle(): Promise<void> {
    if (this.sockets.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Ends every connection now and resolves once all are closed. */
  destroy(): Promise<void> {
    this.destroying.abort();
    const relays = [...this.relays.keys()].map((active) => active.close());
    const closed = this.idle();
    for (const socket of this.sockets) socket.destroy();
    return Promise.all([closed, ...relays]).then(() => {});
  }
}
