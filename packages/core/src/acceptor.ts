import { isIPv6, type Server, type Socket } from "node:net";
import type { SecureContext } from "node:tls";
import { type Endpoint, formatSocketAddress } from "./address.js";
import type { ConnectionHub } from "./connection-hub.js";
import type { ConnectionRecord } from "./connection-info.js";
import { defaults } from "./defaults.js";
import { ErrorCodes, FwdError, invalidState } from "./errors.js";
import { listen, stopListening } from "./listen.js";
import { plainReply, wasUnusedLink } from "./server-handshake.js";
import { secureServerSocket } from "./tls.js";
import type { TunnelServerOptions } from "./tunnel-options.js";

/** How an acceptor listens: where, and what protects it. */
export interface AcceptorOptions {
  bind: Endpoint;
  /** Speak TLS on every accepted connection. */
  tls?: SecureContext | undefined;
  /** Turn new connections away while this many are still in their handshake. */
  maxHandshakes?: number | undefined;
  /** …and while this many from the same source are (an IPv4 address, an IPv6 /64). */
  maxHandshakesPerSource?: number | undefined;
}

/**
 * Serves one accepted connection; a rejection marks it failed and closes it.
 * `handshakeDone` (called, or implied when the promise settles) frees its
 * place among the handshakes in progress.
 */
export type ServeConnection = (
  socket: Socket,
  record: ConnectionRecord,
  handshakeDone: () => void,
) => Promise<void>;

/** An acceptor for a tunnel server: its options' listen address, TLS and handshake limits. */
export function serverAcceptor(
  hub: ConnectionHub,
  serve: ServeConnection,
  options: TunnelServerOptions,
): Acceptor {
  return new Acceptor(hub, serve, {
    bind: options.bind,
    tls: options.tls,
    maxHandshakes: options.maxHandshakes ?? defaults.maxHandshakes,
    maxHandshakesPerSource: options.maxHandshakesPerSource ?? defaults.maxHandshakesPerSource,
  });
}

/**
 * A TCP listener whose every accepted connection is served independently,
 * counted by the hub, with a cap on connections still in their handshake.
 */
export class Acceptor {
  private server: Server | undefined;
  private accepting = false;
  private handshakes = 0;
  private readonly perSource = new Map<string, number>();

  constructor(
    private readonly hub: ConnectionHub,
    private readonly serve: ServeConnection,
    private readonly options: AcceptorOptions,
  ) {}

  async listen(): Promise<void> {
    this.server = await listen({
      ...this.options.bind,
      // Accepted sockets only ever meet a handshake reader and relay(): fwd's own buffers.
      adopt: !this.options.tls,
      screen: (raw) => this.screen(raw),
      onConnection: (socket) => this.accept(socket),
    });
    this.accepting = true;
  }

  /** The address it listens on (the real port when 0 was asked for). */
  address(): Endpoint {
    const address = this.server?.address();
    if (!this.accepting || !address || typeof address === "string") {
      throw invalidState("not listening: call start() first, and only before close()");
    }
    return { host: address.address, port: address.port };
  }

  /** Connections in their handshake now. */
  get handshaking(): number {
    return this.handshakes;
  }

  /** Stops accepting (new connections are refused at once); connections taken on go on. */
  close(): void {
    this.accepting = false;
    if (this.server) stopListening(this.server);
  }

  /** Turns a connection away before any work is spent on it: not accepting, or over a limit. */
  private screen(raw: Socket): boolean {
    if (!this.accepting) {
      raw.destroy();
      return false;
    }
    const refusal = this.overLimit(sourceOf(raw.remoteAddress));
    if (!refusal) return true;
    raw.on("error", () => {}); // a reset while it closes is of no interest
    turnAway(raw, !this.options.tls);
    const record = this.hub.open(
      formatSocketAddress({ address: raw.remoteAddress, port: raw.remotePort }),
    );
    this.hub.fail(
      record,
      new FwdError(ErrorCodes.REFUSED, `${refusal}; connection from ${record.remote} closed`),
    );
    return false;
  }

  private accept(raw: Socket): void {
    if (!this.accepting) {
      raw.destroy();
      return;
    }
    const source = sourceOf(raw.remoteAddress);
    const record = this.hub.open(
      formatSocketAddress({ address: raw.remoteAddress, port: raw.remotePort }),
    );
    // A TLS socket takes the TCP one over: track (and later destroy) only the outer one.
    const socket = this.options.tls ? secureServerSocket(raw, this.options.tls) : raw;
    this.hub.track(socket);
    this.handshakes++;
    this.perSource.set(source, (this.perSource.get(source) ?? 0) + 1);
    let handshaking = true;
    const handshakeDone = () => {
      if (!handshaking) return;
      handshaking = false;
      this.handshakes--;
      const left = (this.perSource.get(source) ?? 1) - 1;
      if (left > 0) this.perSource.set(source, left);
      else this.perSource.delete(source);
    };
    this.serve(socket, record, handshakeDone)
      .catch((err: unknown) => {
        socket.destroy();
        if (wasUnusedLink(err)) this.hub.forget(record);
        else this.hub.fail(record, err);
      })
      .finally(handshakeDone);
  }

  /** Why a new connection from `source` must be turned away, if it must. */
  private overLimit(source: string): string | undefined {
    const max = this.options.maxHandshakes ?? Number.POSITIVE_INFINITY;
    if (this.handshakes >= max) return `${max} handshakes already in progress`;
    const perSource = this.options.maxHandshakesPerSource ?? Number.POSITIVE_INFINITY;
    if ((this.perSource.get(source) ?? 0) >= perSource) {
      return `${perSource} handshakes from ${source} already in progress`;
    }
    return undefined;
  }
}

/** The source a handshake limit counts by: the IPv4 address, or the IPv6 /64 (one home, one ISP customer). */
export function sourceOf(address: string | undefined): string {
  if (!address) return "unknown";
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (v4) return v4[1]!;
  if (!isIPv6(address)) return address;
  const groups = expandIPv6(address);
  return `${groups.slice(0, 4).join(":")}::/64`;
}

function expandIPv6(address: string): string[] {
  const [head = "", tail = ""] = address.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const zeros = Array(Math.max(0, 8 - left.length - right.length)).fill("0");
  return [...left, ...(address.includes("::") ? zeros : []), ...right].map((group) =>
    group.toLowerCase().replace(/^0+(?=.)/, ""),
  );
}

/**
 * Closes a connection a limit turned away. On a plain port a v2 client gets
 * a coded "busy" first, so it does not mistake the close for a legacy server.
 */
function turnAway(socket: Socket, plain: boolean): void {
  if (!plain) {
    socket.destroy();
    return;
  }
  // Closed once written, whether or not the peer ever reads or closes its side.
  socket.write(BUSY);
  socket.destroySoon();
}

const BUSY = plainReply("busy", "too many connections in their handshake; try again shortly");
