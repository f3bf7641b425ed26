import type { Socket } from "node:net";
import { type Endpoint, formatEndpoint } from "./address.js";
import { dial } from "./dial.js";
import { ErrorCodes, FwdError } from "./errors.js";
import { readFrame } from "./handshake.js";
import { LEGACY_OK, LegacyRequestParser } from "./protocol/legacy.js";
import { type ConnectionInfo, TcpService } from "./service.js";

export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

export interface UserServerOptions {
  /** Where clients connect. */
  bind: Endpoint;
  /** A client that has not sent its whole request by then is dropped (default 10 s). */
  handshakeTimeoutMs?: number;
  /** Give up connecting to a requested target after this long (default 10 s). */
  connectTimeoutMs?: number;
  /** Close a relayed connection after this long without a byte either way. */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * The server of the user pair: each client connection names a target in its
 * handshake; the server connects to it, answers OK only once connected, then
 * relays. A bad request or a failed connect closes the connection without a
 * reply, as legacy clients expect. Create with startUserServer().
 */
export class UserServer extends TcpService {
  constructor(readonly options: UserServerOptions) {
    super();
  }

  /** @internal use startUserServer() */
  async start(): Promise<this> {
    await this.listenOn(this.options.bind, this.options.signal);
    return this;
  }

  protected async serve(client: Socket, info: ConnectionInfo): Promise<void> {
    const { value: request, rest } = await readFrame(client, new LegacyRequestParser(), {
      timeoutMs: this.options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
      what: `client ${info.remote}`,
      signal: this.shutdownSignal,
    });
    const target = { host: request.host, port: request.port };
    info.target = formatEndpoint(target);
    info.clientId = request.uniqueId;
    if (request.port < 1 || request.port > 65535) {
      throw new FwdError(
        ErrorCodes.PROTOCOL,
        `client ${info.remote} asked for port ${request.port}, which is not a TCP port`,
      );
    }
    const upstream = await dial({
      ...target,
      timeoutMs: this.options.connectTimeoutMs,
      signal: this.shutdownSignal,
    });
    this.track(upstream);
    client.write(LEGACY_OK);
    this.startRelay(client, upstream, info, {
      idleTimeoutMs: this.options.idleTimeoutMs,
      head: { toB: rest },
    });
  }
}

/** Starts a user-mode server and resolves once it listens. */
export async function startUserServer(options: UserServerOptions): Promise<UserServer> {
  return new UserServer(options).start();
}
