import { lookup } from "node:dns/promises";
import type { Socket } from "node:net";
import { type Acceptor, serverAcceptor, sourceOf } from "./acceptor.js";
import { type Endpoint, formatEndpoint } from "./address.js";
import type { TargetAllowlist } from "./allowlist.js";
import type { ConnectionRecord } from "./connection-info.js";
import { defaults } from "./defaults.js";
import { dial } from "./dial.js";
import { ErrorCodes, FwdError, fromSystemError } from "./errors.js";
import type { Link } from "./link.js";
import { acceptHandshake, type ReadyLinkOptions, refuseWith } from "./server-handshake.js";
import { FwdService } from "./service.js";
import type { TunnelServerOptions } from "./tunnel-options.js";

export interface UserServerOptions extends TunnelServerOptions {
  /** Give up connecting to a requested target after this long (default 10 s). */
  connectTimeoutMs?: number | undefined;
  /** Targets clients may reach; unset: any. */
  allowTargets?: TargetAllowlist | undefined;
}

/**
 * The server of the user pair: each client connection names a target in its
 * handshake (legacy or v2); the server resolves it, checks it against the
 * allowlist, connects, answers OK only once connected, then relays. Legacy
 * clients get no answer on failure, only a close, as they expect; v2 clients
 * get a coded reason. Start it with start(), or at once with startUserServer().
 */
export class UserServer extends FwdService {
  readonly #options: UserServerOptions;
  readonly #acceptor: Acceptor;
  /** Links clients keep ready for their next connections, by source. */
  readonly #ready = new Map<string, Set<Link>>();
  #readyCount = 0;

  constructor(options: UserServerOptions) {
    super(options.signal);
    this.#options = options;
    this.#acceptor = serverAcceptor(
      this.hub,
      (socket, record, handshakeDone) => this.#serve(socket, record, handshakeDone),
      options,
    );
  }

  /** Links clients keep ready now. */
  get readyLinks(): number {
    return this.#readyCount;
  }

  /** The address it listens on (the real port when 0 was asked for). */
  address(): Endpoint {
    return this.#acceptor.address();
  }

  /** Connections in their handshake now. */
  get handshaking(): number {
    return this.#acceptor.handshaking;
  }

  /** @internal */
  protected onStart(): Promise<void> {
    return this.#acceptor.listen();
  }

  /** Stops accepting and closes the links kept ready: no new connection can start. @internal */
  protected async stopAccepting(): Promise<void> {
    this.#acceptor.close();
    for (const links of this.#ready.values()) {
      for (const link of links) {
        link.kill(new FwdError(ErrorCodes.ABORTED, "the server stopped taking connections"));
      }
    }
  }

  /** Takes a link a client keeps ready, within the limits, with heartbeats. */
  #keepReady(source: string): ReadyLinkOptions | undefined {
    const links = this.#ready.get(source) ?? new Set<Link>();
    if (this.state !== "running") return undefined;
    if (this.#readyCount >= defaults.maxReadyLinks) return undefined;
    if (links.size >= defaults.maxReadyLinksPerSource) return undefined;
    let kept: Link | undefined;
    return {
      heartbeatMs: this.#options.heartbeatIntervalMs ?? defaults.heartbeatIntervalMs,
      onLink: (link) => {
        kept = link;
        links.add(link);
        this.#ready.set(source, links);
        this.#readyCount++;
      },
      onEnd: () => {
        if (!kept || !links.delete(kept)) return;
        this.#readyCount--;
        if (links.size === 0) this.#ready.delete(source);
      },
    };
  }

  async #serve(client: Socket, record: ConnectionRecord, handshakeDone: () => void): Promise<void> {
    const { token, allowTargets } = this.#options;
    const what = `client ${record.remote}`;
    const request = await acceptHandshake(client, {
      mode: "user",
      token,
      timeoutMs: this.#options.handshakeTimeoutMs ?? defaults.handshakeTimeoutMs,
      firstByteTimeoutMs: this.#options.firstByteTimeoutMs ?? defaults.firstByteTimeoutMs,
      what,
      signal: this.hub.signal,
      onReady: () => {
        const keep = this.#keepReady(sourceOf(client.remoteAddress));
        // A link kept ready is no handshake in progress: it frees its place.
        if (keep) handshakeDone();
        return keep;
      },
    });
    const target = formatEndpoint(request);
    record.clientId = request.uniqueId;
    record.target = target;
    const who = `${what} (id ${JSON.stringify(request.uniqueId)})`;
    if (request.kind !== "connect") {
      refuseWith(
        request,
        "bad_request",
        new FwdError(ErrorCodes.PROTOCOL, `${who} sent a registration to a user-server`),
      );
    }
    if (request.port < 1 || request.port > 65535) {
      refuseWith(
        request,
        "bad_request",
        new FwdError(
          ErrorCodes.PROTOCOL,
          `${who} asked for port ${request.port}, which is not a TCP port`,
        ),
      );
    }
    // Resolve once, check and connect to that address: a name cannot point elsewhere in between.
    let address: string;
    try {
      ({ address } = await lookup(request.host));
    } catch (err) {
      refuseWith(request, "target_unreachable", fromSystemError(err, "connect", target));
    }
    if (allowTargets && !allowTargets.allows(request.host, address, request.port)) {
      refuseWith(
        request,
        "target_not_allowed",
        new FwdError(
          ErrorCodes.TARGET_NOT_ALLOWED,
          `${who} asked for ${target}, which \`allowTargets\` does not allow`,
          { option: "allowTargets" },
        ),
        "not in the server's target allowlist",
      );
    }
    let upstream: Socket;
    try {
      upstream = await dial({
        host: address,
        port: request.port,
        timeoutMs: this.#options.connectTimeoutMs,
        signal: this.hub.signal,
        zeroCopy: true,
      });
    } catch (err) {
      refuseWith(request, "target_unreachable", err as FwdError);
    }
    this.hub.track(upstream);
    request.accept();
    handshakeDone();
    this.hub.startRelay(client, upstream, record, {
      idleTimeoutMs: this.#options.idleTimeoutMs,
      head: { toB: request.rest },
    });
  }
}

/** Starts a user-mode server and resolves once it listens. */
export function startUserServer(options: UserServerOptions): Promise<UserServer> {
  return new UserServer(options).start();
}
