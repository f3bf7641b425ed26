import type { Server, Socket } from "node:net";
import type { SecureContext } from "node:tls";
import { type Endpoint, formatSocketAddress } from "./address.js";
import type { ConnectionHub } from "./connection-hub.js";
import type { ConnectionRecord } from "./connection-info.js";
import { ErrorCodes, FwdError, invalidState } from "./errors.js";
import { listen, stopListening } from "./listen.js";
import { secureServerSocket } from "./tls.js";

/** How an acceptor listens: where, and what protects it. */
export interface AcceptorOptions {
  bind: Endpoint;
  /** Speak TLS on every accepted connection. */
  tls?: SecureContext | undefined;
  /** Turn new connections away while this many are still in their handshake. */
  maxHandshakes?: number | undefined;
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

/**
 * A TCP listener whose every accepted connection is served independently,
 * counted by the hub, with a cap on connections still in their handshake.
 */
export class Acceptor {
  private server: Server | undefined;
  private accepting = false;
  private handshakes = 0;

  constructor(
    private readonly hub: ConnectionHub,
    private readonly serve: ServeConnection,
    private readonly options: AcceptorOptions,
  ) {}

  async listen(): Promise<void> {
    this.server = await listen({
      ...this.options.bind,
      adopt: !this.options.tls,
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

  private accept(raw: Socket): void {
    if (!this.accepting) {
      raw.destroy();
      return;
    }
    const record = this.hub.open(
      formatSocketAddress({ address: raw.remoteAddress, port: raw.remotePort }),
    );
    const max = this.options.maxHandshakes ?? Number.POSITIVE_INFINITY;
    if (this.handshakes >= max) {
      raw.destroy();
      this.hub.fail(
        record,
        new FwdError(
          ErrorCodes.REFUSED,
          `${max} handshakes already in progress; connection from ${record.remote} closed`,
        ),
      );
      return;
    }
    // A TLS socket takes the TCP one over: track (and later destroy) only the outer one.
    const socket = this.options.tls ? secureServerSocket(raw, this.options.tls) : raw;
    this.hub.track(socket);
    this.handshakes++;
    let handshaking = true;
    const handshakeDone = () => {
      if (handshaking) this.handshakes--;
      handshaking = false;
    };
    this.serve(socket, record, handshakeDone)
      .catch((err: unknown) => {
        socket.destroy();
        this.hub.fail(record, err);
      })
      .finally(handshakeDone);
  }
}
