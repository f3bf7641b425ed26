import type { Socket } from "node:net";
import { Acceptor } from "./acceptor.js";
import { type Endpoint, formatEndpoint } from "./address.js";
import {
  type ClientRequest,
  closedWithoutReply,
  isFatalHandshakeError,
  type ProtocolPlan,
  readLegacyReply,
  resolveProtocol,
  sendLegacyRequest,
} from "./client-handshake.js";
import { looksLegacy, neitherProtocol, requestV2 } from "./client-v2.js";
import type { ConnectionRecord } from "./connection-info.js";
import { defaults } from "./defaults.js";
import { dial } from "./dial.js";
import { ErrorCodes, FwdError } from "./errors.js";
import { padUniqueId } from "./protocol/legacy.js";
import { serverProtocols } from "./server-protocols.js";
import { FwdService } from "./service.js";
import type { TunnelClientOptions } from "./tunnel-options.js";

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
 * cannot fix (a wrong token, a TLS pin mismatch) stops the client: `done`
 * rejects with it. Start it with start(), or at once with startUserClient().
 */
export class UserClient extends FwdService {
  readonly #options: UserClientOptions;
  readonly #plan: ProtocolPlan;
  readonly #server: string;
  readonly #request: ClientRequest;
  readonly #acceptor: Acceptor;

  constructor(options: UserClientOptions) {
    super(options.signal);
    this.#options = options;
    const { target, token } = options;
    this.#plan = resolveProtocol(options.protocol ?? "auto", token, target.host, "target.host");
    this.#server = formatEndpoint(options.server);
    this.#request = {
      kind: "connect",
      host: target.host,
      port: target.port,
      uniqueId: padUniqueId(options.uniqueId ?? ""),
    };
    this.#acceptor = new Acceptor(this.hub, (socket, record) => this.#serve(socket, record), {
      bind: options.bind,
    });
  }

  /** The address it listens on locally (the real port when 0 was asked for). */
  address(): Endpoint {
    return this.#acceptor.address();
  }

  /** The handshake it speaks with the server: v2 unless the server turned out to be legacy. */
  get protocol(): "legacy" | "v2" {
    if (this.#plan !== "v2-or-legacy") return this.#plan;
    return serverProtocols.isLegacy(this.#server) ? "legacy" : "v2";
  }

  /** @internal */
  protected onStart(): Promise<void> {
    return this.#acceptor.listen();
  }

  /** @internal */
  protected async stopAccepting(): Promise<void> {
    this.#acceptor.close();
  }

  async #serve(local: Socket, record: ConnectionRecord): Promise<void> {
    record.target = formatEndpoint(this.#options.target);
    try {
      const { upstream, rest } = await this.#openTunnel();
      this.hub.startRelay(local, upstream, record, {
        idleTimeoutMs: this.#options.idleTimeoutMs,
        head: { toA: rest },
      });
    } catch (err) {
      if (isFatalHandshakeError(err)) this.fail(err as FwdError);
      throw err;
    }
  }

  /**
   * Connects to the server and has it connect to the target. In auto mode a
   * legacy server's hang-up on the v2 hello is remembered and the request
   * is made again, in legacy, for the same local connection.
   */
  async #openTunnel(): Promise<{ upstream: Socket; rest: Buffer }> {
    const protocol = this.protocol;
    try {
      return await this.#openTunnelIn(protocol);
    } catch (err) {
      if (protocol !== "v2" || this.#plan !== "v2-or-legacy" || !looksLegacy(err)) throw err;
    }
    serverProtocols.markLegacy(this.#server);
    try {
      return await this.#openTunnelIn("legacy");
    } catch (err) {
      if (!closedWithoutReply(err)) throw err;
      // Hung up on in both protocols: not known to be legacy after all.
      serverProtocols.forget(this.#server);
      throw neitherProtocol(`server ${this.#server}`, err);
    }
  }

  async #openTunnelIn(protocol: "legacy" | "v2"): Promise<{ upstream: Socket; rest: Buffer }> {
    const { server, token, tls } = this.#options;
    const signal = this.hub.signal;
    const what = `server ${this.#server}`;
    let upstream: Socket;
    try {
      upstream = await dial({ ...server, tls, timeoutMs: this.#options.connectTimeoutMs, signal });
    } catch (err) {
      serverProtocols.forget(this.#server);
      throw err;
    }
    this.hub.track(upstream);
    const timeoutMs = this.#options.handshakeTimeoutMs ?? defaults.handshakeTimeoutMs;
    try {
      if (protocol === "v2") {
        const { rest } = await requestV2(upstream, this.#request, {
          token,
          timeoutMs,
          what,
          signal,
        });
        return { upstream, rest };
      }
      sendLegacyRequest(upstream, this.#request);
      const target = formatEndpoint(this.#request);
      const rest = await readLegacyReply(
        upstream,
        { timeoutMs, what, signal },
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
export function startUserClient(options: UserClientOptions): Promise<UserClient> {
  return new UserClient(options).start();
}
