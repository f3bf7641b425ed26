import type { Server, Socket } from "node:net";
import type { SecureContext } from "node:tls";
import { type Endpoint, formatSocketAddress } from "./address.js";
import { ConnectionHub, type ConnectionInfo } from "./connection-hub.js";
import { ErrorCodes, FwdError } from "./errors.js";
import { closeServer, listen } from "./listen.js";
import { secureServerSocket } from "./tls.js";

/** How a service listens: where, and what protects it. */
export interface ServiceListenOptions {
  signal?: AbortSignal | undefined;
  /** Speak TLS on every accepted connection. */
  tls?: SecureContext | undefined;
  /** Close new connections at once while this many are still in their handshake. */
  maxHandshakes?: number | undefined;
}

export type { ConnectionInfo, ServiceEvents } from "./connection-hub.js";

/**
 * A TCP listener whose every accepted connection is served independently by
 * serve(); a rejection marks that connection failed and closes it.
 */
export abstract class TcpService extends ConnectionHub {
  private server: Server | undefined;
  private tls: SecureContext | undefined;
  private maxHandshakes = Number.POSITIVE_INFINITY;
  private handshaking = 0;

  /**
   * Serves one accepted connection; rejecting marks it failed and closes it.
   * `handshakeDone` (called, or implied when serve() settles) frees its place
   * among the handshakes in progress.
   */
  protected abstract serve(
    socket: Socket,
    info: ConnectionInfo,
    handshakeDone: () => void,
  ): Promise<void>;

  protected async listenOn(bind: Endpoint, options: ServiceListenOptions = {}): Promise<void> {
    if (options.signal?.aborted) {
      throw new FwdError(ErrorCodes.ABORTED, "the service was aborted before it started");
    }
    this.tls = options.tls;
    this.maxHandshakes = options.maxHandshakes ?? Number.POSITIVE_INFINITY;
    this.server = await listen({
      ...bind,
      adopt: !this.tls,
      onConnection: (socket) => this.accept(socket),
    });
    this.closeOnAbort(options.signal);
  }

  /** The address the service listens on (the real port when 0 was asked for). */
  address(): Endpoint {
    const address = this.server?.address();
    if (!address || typeof address === "string") {
      throw new FwdError(ErrorCodes.INVALID_ARG, "the service is not listening");
    }
    return { host: address.address, port: address.port };
  }

  get listening(): boolean {
    return this.server?.listening === true && !this.closed;
  }

  protected override async stopAccepting(): Promise<void> {
    if (this.server) await closeServer(this.server);
  }

  private accept(raw: Socket): void {
    if (this.closed) {
      raw.destroy();
      return;
    }
    const info = this.opened(
      formatSocketAddress({ address: raw.remoteAddress, port: raw.remotePort }),
    );
    if (this.handshaking >= this.maxHandshakes) {
      raw.destroy();
      this.markFailed(
        info,
        new FwdError(
          ErrorCodes.REFUSED,
          `${this.maxHandshakes} handshakes already in progress; connection from ${info.remote} closed`,
        ),
      );
      return;
    }
    // A TLS socket takes the TCP one over: track (and later destroy) only the outer one.
    const socket = this.tls ? secureServerSocket(raw, this.tls) : raw;
    this.track(socket);
    this.handshaking++;
    let handshakeDone = false;
    const endHandshake = () => {
      if (!handshakeDone) this.handshaking--;
      handshakeDone = true;
    };
    this.serve(socket, info, endHandshake)
      .catch((err: unknown) => {
        socket.destroy();
        this.markFailed(info, err);
      })
      .finally(endHandshake);
  }
}
