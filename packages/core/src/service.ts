import type { Server, Socket } from "node:net";
import { type Endpoint, formatSocketAddress } from "./address.js";
import { ConnectionHub, type ConnectionInfo } from "./connection-hub.js";
import { ErrorCodes, FwdError } from "./errors.js";
import { closeServer, listen } from "./listen.js";

export type { ConnectionInfo, ServiceEvents } from "./connection-hub.js";

/**
 * A TCP listener whose every accepted connection is served independently by
 * serve(); a rejection marks that connection failed and closes it.
 */
export abstract class TcpService extends ConnectionHub {
  private server: Server | undefined;

  /** Serves one accepted connection; rejecting marks it failed and closes it. */
  protected abstract serve(socket: Socket, info: ConnectionInfo): Promise<void>;

  protected async listenOn(bind: Endpoint, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) {
      throw new FwdError(ErrorCodes.ABORTED, "the service was aborted before it started");
    }
    this.server = await listen({ ...bind, onConnection: (socket) => this.accept(socket) });
    this.closeOnAbort(signal);
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

  private accept(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.track(socket);
    const info = this.opened(
      formatSocketAddress({ address: socket.remoteAddress, port: socket.remotePort }),
    );
    this.serve(socket, info).catch((err: unknown) => {
      socket.destroy();
      this.markFailed(info, err);
    });
  }
}
