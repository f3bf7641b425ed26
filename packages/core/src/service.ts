import { addAbortListener, EventEmitter } from "node:events";
import type { Server, Socket } from "node:net";
import type { Duplex } from "node:stream";
import createDebug from "debug";
import { type Endpoint, formatSocketAddress } from "./address.js";
import { ErrorCodes, FwdError, isFwdError } from "./errors.js";
import { closeServer, listen } from "./listen.js";
import { type Relay, type RelayOptions, type RelaySummary, relay } from "./relay.js";
import { Traffic, type TrafficCounters } from "./traffic.js";

const debug = createDebug("fwd:core:service");

/** What a service knows of one accepted connection. */
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
  /** A connection was accepted. */
  connection: [info: ConnectionInfo];
  /** A relayed connection ended: bytes, duration and reason. */
  connectionClosed: [info: ConnectionInfo, summary: RelaySummary];
  /** A connection could not be served (bad handshake, target unreachable, …). */
  connectionError: [info: ConnectionInfo, error: FwdError];
  /** The service stopped: listener closed, every connection ended. */
  close: [];
}

/**
 * A TCP listener whose every accepted connection is served independently:
 * it counts traffic, keeps track of every socket and relay it owns, and on
 * close() stops accepting and tears all of them down before resolving.
 */
export abstract class TcpService extends EventEmitter<ServiceEvents> {
  private readonly traffic = new Traffic();
  private readonly sockets = new Set<Duplex>();
  private readonly relays = new Set<Relay>();
  private server: Server | undefined;
  private closing: Promise<void> | undefined;
  private nextId = 1;
  private removeAbortListener: (() => void) | undefined;
  private readonly stopping = new AbortController();

  /** Aborted when the service closes: pass it to work a connection waits on. */
  protected get shutdownSignal(): AbortSignal {
    return this.stopping.signal;
  }

  /** Serves one accepted connection; rejecting marks it failed and closes it. */
  protected abstract serve(socket: Socket, info: ConnectionInfo): Promise<void>;

  protected async listenOn(bind: Endpoint, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) {
      throw new FwdError(ErrorCodes.ABORTED, "the service was aborted before it started");
    }
    this.server = await listen({ ...bind, onConnection: (socket) => this.accept(socket) });
    if (signal) {
      const disposable = addAbortListener(signal, () => void this.close());
      this.removeAbortListener = () => disposable[Symbol.dispose]();
    }
  }

  /** The address the service listens on (the real port when 0 was asked for). */
  address(): Endpoint {
    const address = this.server?.address();
    if (!address || typeof address === "string") {
      throw new FwdError(ErrorCodes.INVALID_ARG, "the service is not listening");
    }
    return { host: address.address, port: address.port };
  }

  /** Connection and byte counters, live relays included. */
  stats(): TrafficCounters {
    return this.traffic.snapshot();
  }

  get listening(): boolean {
    return this.server?.listening === true && !this.closing;
  }

  /** Stops accepting, ends every connection, resolves when all are closed. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
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

  /** Relays an accepted socket (`a`) and the far side (`b`), counted and tracked. */
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
      this.emit("connectionClosed", info, summary);
    });
    if (this.closing) void active.close();
    return active;
  }

  private accept(socket: Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    const info: ConnectionInfo = {
      id: this.nextId++,
      remote: formatSocketAddress({ address: socket.remoteAddress, port: socket.remotePort }),
    };
    this.track(socket);
    this.traffic.opened();
    this.emit("connection", info);
    this.serve(socket, info).catch((err: unknown) => {
      this.traffic.failedOne();
      socket.destroy();
      const error = isFwdError(err)
        ? err
        : new FwdError(ErrorCodes.NETWORK, String((err as Error)?.message ?? err), {
            cause: err,
          });
      debug("#%d %s failed: %s", info.id, info.remote, error.message);
      this.emit("connectionError", info, error);
    });
  }

  private async shutdown(): Promise<void> {
    this.removeAbortListener?.();
    this.stopping.abort();
    const stopped = this.server ? closeServer(this.server) : Promise.resolve();
    const closed = [...this.sockets].map(
      (socket) => new Promise<void>((resolve) => socket.once("close", () => resolve())),
    );
    const relays = [...this.relays].map((active) => active.close());
    for (const socket of this.sockets) socket.destroy();
    await Promise.all([stopped, ...closed, ...relays]);
    this.emit("close");
  }
}
