import type { Socket } from "node:net";
import createDebug from "debug";
import { type Endpoint, formatEndpoint } from "../address.js";
import type { PortAllowlist } from "../allowlist.js";
import type { ConnectionInfo } from "../connection-hub.js";
import { ErrorCodes, FwdError } from "../errors.js";
import type { Relay } from "../relay.js";
import { acceptHandshake, refuseWith } from "../server-handshake.js";
import { TcpService } from "../service.js";
import type { TunnelServerOptions } from "../tunnel-options.js";
import { DEFAULT_HANDSHAKE_TIMEOUT_MS, DEFAULT_MAX_HANDSHAKES } from "../user-server.js";
import { PublicPort, type PublicPortLimits, type PublicPortOwner } from "./public-port.js";

const debug = createDebug("fwd:core:multi");

/** Registrations waiting on all ports together: each holds a socket and a timer. */
const MAX_WAITING_TOTAL = 1024;

export interface MultiServerOptions extends TunnelServerOptions {
  /** A public connection waits this long for a registration (default 10 s). */
  holdTimeoutMs?: number | undefined;
  /** At most this many public connections wait per port (default 128). */
  maxHeldPerPort?: number | undefined;
  /** Close a waiting registration after this long (default 65 s: clients renew every 30 s). */
  registrationTimeoutMs?: number | undefined;
  /** At most this many registrations wait per port (default 16: a client keeps one to four). */
  maxWaitingPerPort?: number | undefined;
  /** Keep an idle port for its owner this long after its last registration and relay (default 1 s). */
  portLingerMs?: number | undefined;
  /** Public ports clients may open; unset: any. */
  allowPorts?: PortAllowlist | undefined;
  /** Where public ports are bound when a v2 client leaves it to the server (default 0.0.0.0). */
  publicHost?: string | undefined;
}

/** Public ports and who owns them, for status displays and tests. */
export interface PublicPortStatus {
  port: string;
  owner: string;
  waiting: number;
  held: number;
  relays: number;
}

/**
 * The server of the reverse tunnel. A multi-client registers a public port
 * with the legacy request frame; the server opens that port and pairs each
 * public connection with a waiting registration of its owner, answers OK on
 * it and relays. The port belongs to the unique id that opened it: another
 * id, or a port that cannot be bound, gets EX. Create with startMultiServer().
 */
export class MultiServer extends TcpService {
  private readonly ports = new Map<string, PublicPort>();
  /** Ports being bound: registrations for them wait for the outcome. */
  private readonly opening = new Map<string, Promise<PublicPort>>();
  private readonly limits: PublicPortLimits;
  private readonly portOwner: PublicPortOwner;

  constructor(readonly options: MultiServerOptions) {
    super();
    this.limits = {
      holdTimeoutMs: options.holdTimeoutMs ?? 10_000,
      maxHeld: options.maxHeldPerPort ?? 128,
      registrationTimeoutMs: options.registrationTimeoutMs ?? 65_000,
      maxWaiting: options.maxWaitingPerPort ?? 16,
      lingerMs: options.portLingerMs ?? 1000,
    };
    this.portOwner = {
      track: (socket) => this.track(socket),
      opened: (remote) => this.opened(remote),
      markFailed: (info, error) => this.markFailed(info, error),
      startRelay: (publicSocket, registration, info): Relay =>
        this.startRelay(publicSocket, registration, info, { idleTimeoutMs: options.idleTimeoutMs }),
      released: (port) => {
        const key = String(port.endpoint.port);
        if (this.ports.get(key) === port) this.ports.delete(key);
      },
    };
  }

  /** @internal use startMultiServer() */
  async start(): Promise<this> {
    const { bind, signal, tls, maxHandshakes } = this.options;
    await this.listenOn(bind, {
      signal,
      tls,
      maxHandshakes: maxHandshakes ?? DEFAULT_MAX_HANDSHAKES,
    });
    return this;
  }

  /** The public ports open now. */
  publicPorts(): PublicPortStatus[] {
    return [...this.ports.values()].map((port) => ({ port: port.key, ...port.status }));
  }

  protected override async stopAccepting(): Promise<void> {
    await Promise.all([
      super.stopAccepting(),
      ...[...this.ports.values()].map((port) => port.close()),
    ]);
    this.ports.clear();
  }

  protected async serve(
    socket: Socket,
    info: ConnectionInfo,
    handshakeDone: () => void,
  ): Promise<void> {
    const what = `client ${info.remote}`;
    const request = await acceptHandshake(socket, {
      mode: "multi",
      token: this.options.token,
      timeoutMs: this.options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
      what,
      signal: this.shutdownSignal,
    });
    info.clientId = request.uniqueId;
    const endpoint = {
      host: request.host || (this.options.publicHost ?? "0.0.0.0"),
      port: request.port,
    };
    info.target = `public port ${formatEndpoint(endpoint)}`;
    const who = `${what} (id ${JSON.stringify(request.uniqueId)})`;
    if (request.kind !== "register") {
      refuseWith(
        request,
        "bad_request",
        new FwdError(ErrorCodes.PROTOCOL, `${who} sent a connect request to a multi-server`),
      );
    }
    if (endpoint.port < 1 || endpoint.port > 65535) {
      refuseWith(
        request,
        "bad_request",
        new FwdError(
          ErrorCodes.PROTOCOL,
          `${who} asked for public port ${endpoint.port}, which is not a TCP port`,
        ),
      );
    }
    const { allowPorts } = this.options;
    if (allowPorts && !allowPorts.allows(endpoint.port)) {
      refuseWith(
        request,
        "port_not_allowed",
        new FwdError(
          ErrorCodes.PORT_NOT_ALLOWED,
          `${who} asked for public port ${endpoint.port}, which --allow_ports does not allow`,
        ),
        `public port ${endpoint.port} is not in the server's --allow_ports (${allowPorts})`,
      );
    }
    if (request.rest.length > 0) {
      refuseWith(
        request,
        "bad_request",
        new FwdError(ErrorCodes.PROTOCOL, `${who} sent data before its registration was paired`),
      );
    }
    let port: PublicPort;
    try {
      port = await this.portFor(endpoint, request.uniqueId);
    } catch (err) {
      refuseWith(request, "port_in_use", err as FwdError);
    }
    const waitingEverywhere = [...this.ports.values()].reduce(
      (sum, p) => sum + p.status.waiting,
      0,
    );
    if (waitingEverywhere >= MAX_WAITING_TOTAL) {
      refuseWith(
        request,
        "port_in_use",
        new FwdError(
          ErrorCodes.REFUSED,
          `${who}: ${MAX_WAITING_TOTAL} registrations already wait on this server`,
        ),
      );
    }
    if (port.status.waiting >= this.limits.maxWaiting) {
      refuseWith(
        request,
        "port_in_use",
        new FwdError(
          ErrorCodes.REFUSED,
          `${who}: ${this.limits.maxWaiting} registrations already wait on public port ${port.key}`,
        ),
      );
    }
    debug("#%d %s (%s) registered %s", info.id, info.remote, info.clientId, port.key);
    request.accept();
    handshakeDone();
    port.addRegistration(socket, info, request.pairedMessage);
  }

  /**
   * The owner's port: already open, being opened, or opened now. Ports are
   * owned by number, whatever address they are bound to: where the OS lets
   * two sockets bind one port on different addresses (Windows), a second
   * client must not take the traffic of the first.
   */
  private async portFor(endpoint: Endpoint, owner: string): Promise<PublicPort> {
    const key = String(endpoint.port);
    const port = this.ports.get(key) ?? (await this.opening.get(key));
    if (port && this.ports.get(key) === port) {
      if (port.owner !== owner) {
        throw new FwdError(
          ErrorCodes.ADDR_IN_USE,
          `public port ${endpoint.port} belongs to client ${JSON.stringify(port.owner)}, not ${JSON.stringify(owner)}`,
        );
      }
      if (port.endpoint.host !== endpoint.host) {
        throw new FwdError(
          ErrorCodes.ADDR_IN_USE,
          `public port ${endpoint.port} is already open on ${port.key}`,
        );
      }
      return port;
    }
    const opening = PublicPort.open(endpoint, owner, this.limits, this.portOwner);
    this.opening.set(key, opening);
    try {
      const opened = await opening;
      if (this.closed) {
        await opened.close();
        throw new FwdError(ErrorCodes.ABORTED, "the server is closing");
      }
      this.ports.set(key, opened);
      return opened;
    } finally {
      this.opening.delete(key);
    }
  }
}

/** Starts a reverse-tunnel server and resolves once it listens for registrations. */
export async function startMultiServer(options: MultiServerOptions): Promise<MultiServer> {
  return new MultiServer(options).start();
}
