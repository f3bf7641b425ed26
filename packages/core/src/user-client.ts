import type { Socket } from "node:net";
import { type Endpoint, formatEndpoint } from "./address.js";
import {
  type ClientRequest,
  chooseProtocol,
  isFatalHandshakeError,
  readLegacyReply,
  requestV2,
  sendLegacyRequest,
} from "./client-handshake.js";
import { dial } from "./dial.js";
import { ErrorCodes, FwdError, invalidArg } from "./errors.js";
import { encodeLegacyRequest, padUniqueId } from "./protocol/legacy.js";
import { type ConnectionInfo, TcpService } from "./service.js";
import type { TunnelClientOptions } from "./tunnel-options.js";
import { DEFAULT_HANDSHAKE_TIMEOUT_MS } from "./user-server.js";

export interface UserClientOptions extends TunnelClientOptions {
  /** Where local programs connect. */
  bind: Endpoint;
  /** The target, as the server sees it: IPv4, IPv6 or a host name (the last two need v2). */
  target: Endpoint;
}

/**
 * The client of the user pair: listens locally and, for each local
 * connection, asks the server to connect to the target, then relays. Any
 * number of local connections are served at once. A refusal that retrying
 * cannot fix (a wrong token, a TLS pin mismatch) rejects `failed`. Create
 * with startUserClient().
 */
export class UserClient extends TcpService {
  private readonly protocol: "legacy" | "v2";
  private readonly request: ClientRequest;

  constructor(readonly options: UserClientOptions) {
    super();
    const { target, token } = options;
    this.protocol = chooseProtocol(options.protocol ?? "auto", token, target.host);
    this.request = {
      kind: "connect",
      host: target.host,
      port: target.port,
      uniqueId: padUniqueId(options.uniqueId ?? ""),
    };
    if (this.protocol === "legacy") {
      if (token) throw invalidArg("a token needs the v2 protocol; drop --protocol=legacy");
      // Encoding up front turns a target the legacy frame cannot carry into a startup error.
      encodeLegacyRequest(this.request);
    }
  }

  /** @internal use startUserClient() */
  async start(): Promise<this> {
    await this.listenOn(this.options.bind, { signal: this.options.signal });
    return this;
  }

  protected async serve(local: Socket, info: ConnectionInfo): Promise<void> {
    info.target = formatEndpoint(this.options.target);
    try {
      const { upstream, rest } = await this.openTunnel();
      this.startRelay(local, upstream, info, {
        idleTimeoutMs: this.options.idleTimeoutMs,
        head: { toA: rest },
      });
    } catch (err) {
      if (isFatalHandshakeError(err)) this.failFatally(err as FwdError);
      throw err;
    }
  }

  /** Connects to the server and has it connect to the target. */
  private async openTunnel(): Promise<{ upstream: Socket; rest: Buffer }> {
    const { server, token, tls } = this.options;
    const what = `server ${formatEndpoint(server)}`;
    const upstream = await dial({
      ...server,
      tls,
      timeoutMs: this.options.connectTimeoutMs,
      signal: this.shutdownSignal,
    });
    this.track(upstream);
    const timeoutMs = this.options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    try {
      if (this.protocol === "v2") {
        const rest = await requestV2(upstream, this.request, {
          token,
          timeoutMs,
          what,
          signal: this.shutdownSignal,
        });
        return { upstream, rest };
      }
      sendLegacyRequest(upstream, this.request);
      const target = formatEndpoint(this.request);
      const rest = await readLegacyReply(
        upstream,
        { timeoutMs, what, signal: this.shutdownSignal },
        {
          ex: new FwdError(ErrorCodes.REFUSED, `${what} refused the connection to ${target}`),
          // How legacy servers say no: they close without a reply.
          closed: new FwdError(
            ErrorCodes.REFUSED,
            `${what} closed the connection without accepting: it could not reach ${target} or refused the request`,
          ),
        },
      );
      return { upstream, rest };
    } catch (err) {
      upstream.destroy();
      throw err;
    }
  }
}

/** Starts a user-mode client and resolves once it listens locally. */
export async function startUserClient(options: UserClientOptions): Promise<UserClient> {
  return new UserClient(options).start();
}
