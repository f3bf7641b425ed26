import { lookup } from "node:dns/promises";
import type { Socket } from "node:net";
import { formatEndpoint } from "./address.js";
import type { TargetAllowlist } from "./allowlist.js";
import { dial } from "./dial.js";
import { ErrorCodes, FwdError, fromSystemError } from "./errors.js";
import { acceptHandshake, refuseWith } from "./server-handshake.js";
import { type ConnectionInfo, TcpService } from "./service.js";
import type { TunnelServerOptions } from "./tunnel-options.js";

export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_HANDSHAKES = 256;

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
 * get a coded reason. Create with startUserServer().
 */
export class UserServer extends TcpService {
  constructor(readonly options: UserServerOptions) {
    super();
  }

  /** @internal use startUserServer() */
  async start(): Promise<this> {
    const { bind, signal, tls, maxHandshakes } = this.options;
    await this.listenOn(bind, {
      signal,
      tls,
      maxHandshakes: maxHandshakes ?? DEFAULT_MAX_HANDSHAKES,
    });
    return this;
  }

  protected async serve(
    client: Socket,
    info: ConnectionInfo,
    handshakeDone: () => void,
  ): Promise<void> {
    const { token, allowTargets } = this.options;
    const what = `client ${info.remote}`;
    const request = await acceptHandshake(client, {
      mode: "user",
      token,
      timeoutMs: this.options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
      what,
      signal: this.shutdownSignal,
    });
    const target = formatEndpoint(request);
    info.clientId = request.uniqueId;
    info.target = target;
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
          `${who} asked for ${target}, which --allow_targets does not allow`,
        ),
        "not in the server's --allow_targets",
      );
    }
    let upstream: Socket;
    try {
      upstream = await dial({
        host: address,
        port: request.port,
        timeoutMs: this.options.connectTimeoutMs,
        signal: this.shutdownSignal,
      });
    } catch (err) {
      refuseWith(request, "target_unreachable", err as FwdError);
    }
    this.track(upstream);
    request.accept();
    handshakeDone();
    this.startRelay(client, upstream, info, {
      idleTimeoutMs: this.options.idleTimeoutMs,
      head: { toB: request.rest },
    });
  }
}

/** Starts a user-mode server and resolves once it listens. */
export async function startUserServer(options: UserServerOptions): Promise<UserServer> {
  return new UserServer(options).start();
}
