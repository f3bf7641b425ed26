import type { Socket } from "node:net";
import { Acceptor } from "./acceptor.js";
import { type Endpoint, formatEndpoint } from "./address.js";
import {
  type ClientRequest,
  closedWithoutReply,
  isFatalHandshakeError,
  readLegacyReply,
  resolveProtocol,
  sendLegacyRequest,
} from "./client-handshake.js";
import { looksLegacy, neitherProtocol, readyV2, requestOnSession, requestV2 } from "./client-v2.js";
import type { ConnectionRecord } from "./connection-info.js";
import { defaults } from "./defaults.js";
import { ErrorCodes, FwdError, isFwdError } from "./errors.js";
import { padUniqueId } from "./protocol/legacy.js";
import { type ReadyLink, ReadyPool } from "./ready-pool.js";
import { FwdService } from "./service.js";
import type { TunnelClientOptions } from "./tunnel-options.js";
import { TunnelServer } from "./tunnel-server.js";

export interface UserClientOptions extends TunnelClientOptions {
  /** Where local programs connect. */
  bind: Endpoint;
  /** The target, as the server sees it: IPv4, IPv6 or a host name (the last two need v2). */
  target: Endpoint;
  /**
   * Links to the server kept ready (v2): at least this many, more while
   * connections arrive fast, at most `max` (default 2 and 32; 0: none).
   */
  readyLinks?: { min?: number; max?: number } | undefined;
}

/** What a user-client's link to its server is doing, for status displays. */
export interface UserClientStatus {
  /** "up" once a link was made or a connection served, "down" while links fail. */
  server: "connecting" | "up" | "down";
  /** The protocol the server speaks: v2 unless it turned out to be legacy. */
  protocol: "legacy" | "v2";
  readyLinks: number;
  rttMs: number | undefined;
  error?: FwdError | undefined;
}

/**
 * The client of the user pair: listens locally and, for each local
 * connection, asks the server to connect to the target, then relays. Over
 * v2 it keeps authenticated links ready, so a connection costs one round
 * trip (its request), not a TCP, TLS and auth handshake first. A refusal
 * that retrying cannot fix (a wrong token, a TLS pin mismatch) stops the
 * client: `done` rejects with it. Start it with start(), or at once with
 * startUserClient().
 */
export class UserClient extends FwdService {
  readonly #options: UserClientOptions;
  readonly #server: TunnelServer;
  readonly #request: ClientRequest;
  readonly #acceptor: Acceptor;
  #pool: ReadyPool | undefined;
  /** Links being made for connections that found none ready: bounded, so a burst cannot swamp the server. */
  #linksInFlight = 0;
  #link: Pick<UserClientStatus, "server" | "error"> = { server: "connecting" };

  constructor(options: UserClientOptions) {
    super(options.signal);
    this.#options = options;
    const { target, token } = options;
    this.#server = new TunnelServer(
      options,
      resolveProtocol(options.protocol ?? "auto", token, target.host, "target.host"),
    );
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
    return this.#server.speaks();
  }

  /** What the link to the server is doing now. */
  status(): UserClientStatus {
    return {
      ...this.#link,
      protocol: this.protocol,
      readyLinks: this.#pool?.size ?? 0,
      rttMs: this.#pool?.rttMs,
    };
  }

  /** @internal */
  protected async onStart(): Promise<void> {
    await this.#acceptor.listen();
    const max = this.#options.readyLinks?.max ?? defaults.readyLinksMax;
    const min = Math.min(max, this.#options.readyLinks?.min ?? defaults.readyLinksMin);
    if (this.#server.plan === "legacy" || max === 0) return;
    this.#pool = new ReadyPool({
      make: (signal) => this.#makeReadyLink(signal),
      heartbeatMs: this.#options.heartbeatIntervalMs ?? defaults.heartbeatIntervalMs,
      what: `server ${this.#server.address}`,
      min,
      max,
      isFatal: isFatalHandshakeError,
      onFatal: (error) => this.fail(error),
      onHealth: (ok, error) => this.#linkState(ok, error),
      enabled: () => this.protocol === "v2",
    });
  }

  /** Stops accepting and lets the ready links go. @internal */
  protected async stopAccepting(): Promise<void> {
    this.#acceptor.close();
    this.#pool?.close();
  }

  #linkState(ok: boolean, error?: FwdError): void {
    this.#link = ok ? { server: "up" } : { server: "down", error };
  }

  async #makeReadyLink(signal: AbortSignal): Promise<ReadyLink> {
    const socket = await this.#dialServer(signal);
    try {
      const session = await readyV2(socket, {
        token: this.#options.token,
        timeoutMs: this.#options.handshakeTimeoutMs ?? defaults.handshakeTimeoutMs,
        what: `server ${this.#server.address}`,
        signal,
      });
      return { socket, session };
    } catch (err) {
      socket.destroy();
      if (this.#server.plan === "v2-or-legacy" && looksLegacy(err)) this.#server.learned(true);
      throw err;
    }
  }

  async #dialServer(signal: AbortSignal): Promise<Socket> {
    const socket = await this.#server.dial(signal);
    this.hub.track(socket);
    return socket;
  }

  async #serve(local: Socket, record: ConnectionRecord): Promise<void> {
    record.target = formatEndpoint(this.#options.target);
    try {
      const { upstream, rest } = await this.#openTunnel();
      this.#linkState(true);
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
   * Has the server connect to the target: on a ready link if one is there
   * (a link that died meanwhile costs a retry on a new one, never the
   * connection), else on a new link. In auto mode a legacy server's hang-up
   * on the v2 hello is remembered and the request made again in legacy.
   */
  async #openTunnel(): Promise<{ upstream: Socket; rest: Buffer }> {
    const pool = this.protocol === "v2" ? this.#pool : undefined;
    let ready = pool?.take();
    if (!ready && pool && this.#linksInFlight >= defaults.maxLinksInFlight) {
      // Enough links are being made already: wait for the next one rather than add to them.
      ready = await pool.next(this.hub.signal);
    }
    if (ready) {
      try {
        return await this.#requestOn(ready);
      } catch (err) {
        if (!isFwdError(err) || !staleLink(err)) throw err;
      }
    }
    const protocol = this.protocol;
    try {
      return await this.#openTunnelIn(protocol);
    } catch (err) {
      if (protocol !== "v2" || this.#server.plan !== "v2-or-legacy" || !looksLegacy(err)) throw err;
    }
    this.#server.learned(true);
    try {
      return await this.#openTunnelIn("legacy");
    } catch (err) {
      if (!closedWithoutReply(err)) throw err;
      // Hung up on in both protocols: not known to be legacy after all.
      this.#server.learned(false);
      throw neitherProtocol(`server ${this.#server.address}`, err);
    }
  }

  async #requestOn(
    ready: ReadyLink & { rest: Buffer },
  ): Promise<{ upstream: Socket; rest: Buffer }> {
    const { socket } = ready;
    try {
      const { rest } = await requestOnSession(
        socket,
        { ...ready.session, rest: ready.rest },
        this.#request,
        {
          token: this.#options.token,
          timeoutMs: this.#options.handshakeTimeoutMs ?? defaults.handshakeTimeoutMs,
          what: `server ${this.#server.address}`,
          signal: this.hub.signal,
        },
      );
      return { upstream: socket, rest };
    } catch (err) {
      socket.destroy();
      throw err;
    }
  }

  async #openTunnelIn(protocol: "legacy" | "v2"): Promise<{ upstream: Socket; rest: Buffer }> {
    this.#linksInFlight++;
    try {
      return await this.#openTunnelWith(protocol);
    } finally {
      this.#linksInFlight--;
    }
  }

  async #openTunnelWith(protocol: "legacy" | "v2"): Promise<{ upstream: Socket; rest: Buffer }> {
    const signal = this.hub.signal;
    const what = `server ${this.#server.address}`;
    const upstream = await this.#dialServer(signal);
    const timeoutMs = this.#options.handshakeTimeoutMs ?? defaults.handshakeTimeoutMs;
    try {
      if (protocol === "v2") {
        const { rest } = await requestV2(upstream, this.#request, {
          token: this.#options.token,
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

/** A ready link that turned out dead when used: the request is made again on a new one. */
function staleLink(err: FwdError): boolean {
  return (
    err.code === ErrorCodes.HANDSHAKE_CLOSED ||
    err.code === ErrorCodes.CONN_RESET ||
    err.code === ErrorCodes.TIMEOUT
  );
}

/** Starts a user-mode client and resolves once it listens locally. */
export function startUserClient(options: UserClientOptions): Promise<UserClient> {
  return new UserClient(options).start();
}
