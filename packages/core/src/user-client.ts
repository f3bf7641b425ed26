import type { Socket } from "node:net";
import { type Endpoint, formatEndpoint } from "./address.js";
import { dial } from "./dial.js";
import { ErrorCodes, FwdError, isFwdError } from "./errors.js";
import { readFrame } from "./handshake.js";
import type { Parsed } from "./protocol/frame-parser.js";
import {
  encodeLegacyRequest,
  type LegacyReply,
  LegacyReplyParser,
  padUniqueId,
} from "./protocol/legacy.js";
import { type ConnectionInfo, TcpService } from "./service.js";
import { DEFAULT_HANDSHAKE_TIMEOUT_MS } from "./user-server.js";

export interface UserClientOptions {
  /** Where local programs connect. */
  bind: Endpoint;
  /** The user-server. */
  server: Endpoint;
  /** The target, as the server sees it. The legacy frame carries IPv4 only. */
  target: Endpoint;
  /** Up to 16 characters, left-padded with "0" (default: 16 zeros). */
  uniqueId?: string;
  /** Give up connecting to the server after this long (default 10 s). */
  connectTimeoutMs?: number;
  /** Give up waiting for the server's answer after this long (default 10 s). */
  handshakeTimeoutMs?: number;
  /** Close a relayed connection after this long without a byte either way. */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * The client of the user pair: listens locally and, for each local
 * connection, asks the server to connect to the target, then relays. Any
 * number of local connections are served at once. Create with startUserClient().
 */
export class UserClient extends TcpService {
  private readonly request: Buffer;

  constructor(readonly options: UserClientOptions) {
    super();
    // Encoding up front turns a target or id the frame cannot carry into a startup error.
    this.request = encodeLegacyRequest({
      host: options.target.host,
      port: options.target.port,
      uniqueId: padUniqueId(options.uniqueId ?? ""),
    });
  }

  /** @internal use startUserClient() */
  async start(): Promise<this> {
    await this.listenOn(this.options.bind, this.options.signal);
    return this;
  }

  protected async serve(local: Socket, info: ConnectionInfo): Promise<void> {
    const { server, target } = this.options;
    const serverName = `server ${formatEndpoint(server)}`;
    info.target = formatEndpoint(target);
    const upstream = await dial({
      ...server,
      timeoutMs: this.options.connectTimeoutMs,
      signal: this.shutdownSignal,
    });
    this.track(upstream);
    upstream.write(this.request);
    let reply: Parsed<LegacyReply>;
    try {
      reply = await readFrame(upstream, new LegacyReplyParser(), {
        timeoutMs: this.options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
        what: serverName,
        signal: this.shutdownSignal,
      });
    } catch (err) {
      upstream.destroy();
      if (isFwdError(err, ErrorCodes.HANDSHAKE_CLOSED)) {
        // How legacy servers say no: they close without a reply.
        throw new FwdError(
          ErrorCodes.REFUSED,
          `${serverName} closed the connection without accepting: it could not reach ${info.target} or refused the request`,
          { cause: err },
        );
      }
      throw err;
    }
    if (reply.value !== "ok") {
      upstream.destroy();
      throw new FwdError(
        ErrorCodes.REFUSED,
        `${serverName} refused the connection to ${info.target}`,
      );
    }
    this.startRelay(local, upstream, info, {
      idleTimeoutMs: this.options.idleTimeoutMs,
      head: { toA: reply.rest },
    });
  }
}

/** Starts a user-mode client and resolves once it listens locally. */
export async function startUserClient(options: UserClientOptions): Promise<UserClient> {
  return new UserClient(options).start();
}
