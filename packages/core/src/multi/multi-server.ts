import type { Socket } from "node:net";
import createDebug from "debug";
import { type Acceptor, serverAcceptor } from "../acceptor.js";
import { type Endpoint, formatEndpoint } from "../address.js";
import type { PortAllowlist } from "../allowlist.js";
import type { ConnectionRecord } from "../connection-info.js";
import { defaults } from "../defaults.js";
import { ErrorCodes, FwdError } from "../errors.js";
import { acceptHandshake, refuseWith, type ServerHandshake } from "../server-handshake.js";
import { FwdService } from "../service.js";
import { Traffic, type TrafficCounters } from "../traffic.js";
import type { TunnelServerOptions } from "../tunnel-options.js";
import {
  type PortServices,
  PublicPort,
  type PublicPortLimits,
  type PublicPortState,
} from "./public-port.js";

const debug = createDebug("fwd:core:multi");

export interface MultiServerOptions extends TunnelServerOptions {
  /** A visitor waits this long for a live registration (default 10 s). */
  holdTimeoutMs?: number | undefined;
  /** At most this many visitors wait per port (default 128). */
  maxHeldPerPort?: number | undefined;
  /** Close a waiting legacy registration after this long (default 65 s: clients renew every 30 s). */
  registrationTimeoutMs?: number | undefined;
  /** At most this many registrations wait per port (default 16: a client keeps one to four). */
  maxWaitingPerPort?: number | undefined;
  /** Keep an idle port for its owner this long after its last registration and relay (default 1 s). */
  portLingerMs?: number | undefined;
  /** An offered v2 registration must take its visitor within this long (default 1.5 s). */
  pairingConfirmMs?: number | undefined;
  /** Public ports clients may open; unset: any. */
  allowPorts?: PortAllowlist | undefined;
  /** Where public ports are bound when a client leaves it to the server, as legacy clients do (default 0.0.0.0). */
  publicHost?: string | undefined;
}

/** A public port and who owns it, for status displays, logs and tests. */
export interface PublicPortStatus extends PublicPortState {
  /** host:port as bound. */
  port: string;
}

export interface MultiServerEvents {
  /** A client opened a public port. */
  portOpened: [port: PublicPortStatus];
  /** A public port closed: its owner left (no registration, no relay), or the server stopped. */
  portReleased: [port: PublicPortStatus];
}

/**
 * The server of the reverse tunnel. A multi-client registers a public port
 * (legacy or v2); the server opens it and hands each visitor to a waiting
 * registration of its owner, and relays. The port belongs to the unique id
 * that opened it: another id, or a port that cannot be bound, is refused.
 * Start it with start(), or at once with startMultiServer().
 */
export class MultiServer extends FwdService<MultiServerEvents> {
  readonly #options: MultiServerOptions;
  readonly #acceptor: Acceptor;
  readonly #ports = new Map<number, PublicPort>();
  /** Ports being bound: registrations for them wait for the outcome. */
  readonly #opening = new Map<number, Promise<PublicPort>>();
  readonly #limits: PublicPortLimits;
  readonly #services: PortServices;
  readonly #visitors = new Traffic();

  constructor(options: MultiServerOptions) {
    super(options.signal);
    this.#options = options;
    this.#acceptor = serverAcceptor(
      this.hub,
      (socket, record, handshakeDone) => this.#serve(socket, record, handshakeDone),
      options,
    );
    this.#limits = {
      holdTimeoutMs: options.holdTimeoutMs ?? defaults.holdTimeoutMs,
      maxHeld: options.maxHeldPerPort ?? defaults.maxHeldPerPort,
      heldBytes: defaults.heldVisitorBytes,
      registrationTimeoutMs: options.registrationTimeoutMs ?? defaults.registrationTimeoutMs,
      maxWaiting: options.maxWaitingPerPort ?? defaults.maxWaitingPerPort,
      lingerMs: options.portLingerMs ?? defaults.portLingerMs,
      heartbeatMs: options.heartbeatIntervalMs ?? defaults.heartbeatIntervalMs,
      confirmMs: options.pairingConfirmMs ?? defaults.pairingConfirmMs,
    };
    this.#services = {
      track: (socket) => this.hub.track(socket),
      open: (remote) => {
        this.#visitors.opened();
        return this.hub.open(remote);
      },
      fail: (record, error) => {
        if (record.target?.startsWith("public port")) this.#visitors.failedOne(error.code);
        this.hub.fail(record, error);
      },
      startRelay: (visitor, registration, record, head) => {
        const relay = this.hub.startRelay(visitor, registration, record, {
          idleTimeoutMs: options.idleTimeoutMs,
          head,
        });
        this.#visitors.relaying(relay);
        return relay;
      },
      released: (port) => {
        if (this.#ports.get(port.boundPort) !== port) return;
        this.#ports.delete(port.boundPort);
        this.emit("portReleased", statusOf(port));
      },
    };
  }

  /** The address it listens on for clients (the real port when 0 was asked for). */
  address(): Endpoint {
    return this.#acceptor.address();
  }

  /** Connections in their handshake now. */
  get handshaking(): number {
    return this.#acceptor.handshaking;
  }

  /** The public ports open now. */
  publicPorts(): PublicPortStatus[] {
    return [...this.#ports.values()].map(statusOf);
  }

  /** Counters over visitors only (stats() counts registrations too). */
  visitorStats(): TrafficCounters {
    return this.#visitors.snapshot();
  }

  /** @internal */
  protected onStart(): Promise<void> {
    return this.#acceptor.listen();
  }

  /** Stops taking registrations and closes the public ports; relays go on. @internal */
  protected async stopAccepting(): Promise<void> {
    this.#acceptor.close();
    const ports = [...this.#ports.values()];
    this.#ports.clear();
    await Promise.all(ports.map((port) => port.close()));
    for (const port of ports) this.emit("portReleased", statusOf(port));
  }

  async #serve(socket: Socket, info: ConnectionRecord, handshakeDone: () => void): Promise<void> {
    const what = `client ${info.remote}`;
    const request = await acceptHandshake(socket, {
      mode: "multi",
      token: this.#options.token,
      timeoutMs: this.#options.handshakeTimeoutMs ?? defaults.handshakeTimeoutMs,
      firstByteTimeoutMs: this.#options.firstByteTimeoutMs ?? defaults.firstByteTimeoutMs,
      what,
      signal: this.hub.signal,
    });
    info.clientId = request.uniqueId;
    // "Any address" (the legacy client always asks for 0.0.0.0) means the server's public host.
    const asked = request.host === "0.0.0.0" ? "" : request.host;
    const endpoint = {
      host: asked || (this.#options.publicHost ?? defaults.publicHost),
      port: request.port,
    };
    info.target = `public port ${formatEndpoint(endpoint)}`;
    const who = `${what} (id ${JSON.stringify(request.uniqueId)})`;
    this.#check(request, endpoint, who);
    let port: PublicPort;
    try {
      port = await this.#portFor(endpoint, request.uniqueId, info.remote);
    } catch (err) {
      refuseWith(request, "port_in_use", err as FwdError);
    }
    const waitingEverywhere = [...this.#ports.values()].reduce((sum, p) => sum + p.waitingCount, 0);
    if (waitingEverywhere >= defaults.maxWaitingTotal) {
      refuseWith(
        request,
        "busy",
        new FwdError(
          ErrorCodes.REFUSED,
          `${who}: ${defaults.maxWaitingTotal} registrations already wait on this server`,
        ),
      );
    }
    if (port.waitingCount >= this.#limits.maxWaiting) {
      refuseWith(
        request,
        "busy",
        new FwdError(
          ErrorCodes.REFUSED,
          `${who}: ${this.#limits.maxWaiting} registrations already wait on public port ${port.key}`,
        ),
      );
    }
    info.target = `public port ${port.key}`;
    debug("#%d %s (%s) registered %s", info.id, info.remote, info.clientId, port.key);
    request.accept(port.boundPort);
    handshakeDone();
    port.addRegistration(socket, info, request.protocol, request.rest);
  }

  /** Refuses a registration the server must not take, saying why. */
  #check(request: ServerHandshake, endpoint: Endpoint, who: string): void {
    if (request.kind !== "register") {
      refuseWith(
        request,
        "bad_request",
        new FwdError(ErrorCodes.PROTOCOL, `${who} sent a connect request to a multi-server`),
      );
    }
    // Port 0 asks for any free port: only a v2 client learns which one it got.
    const lowest = request.protocol === "v2" ? 0 : 1;
    if (endpoint.port < lowest || endpoint.port > 65535) {
      refuseWith(
        request,
        "bad_request",
        new FwdError(
          ErrorCodes.PROTOCOL,
          `${who} asked for public port ${endpoint.port}, which is not a TCP port`,
        ),
      );
    }
    const { allowPorts } = this.#options;
    if (allowPorts && !allowPorts.allows(endpoint.port)) {
      refuseWith(
        request,
        "port_not_allowed",
        new FwdError(
          ErrorCodes.PORT_NOT_ALLOWED,
          `${who} asked for public port ${endpoint.port}, which \`allowPorts\` does not allow`,
          { option: "allowPorts" },
        ),
        `public port ${endpoint.port} is not in the server's port allowlist (${allowPorts})`,
      );
    }
    if (request.protocol === "legacy" && request.rest.length > 0) {
      refuseWith(
        request,
        "bad_request",
        new FwdError(ErrorCodes.PROTOCOL, `${who} sent data before its registration was paired`),
      );
    }
  }

  /**
   * The owner's port: already open, being opened, or opened now. Ports are
   * owned by number, whatever address they are bound to: where the OS lets
   * two sockets bind one port on different addresses (Windows), a second
   * client must not take the traffic of the first.
   */
  async #portFor(endpoint: Endpoint, owner: string, from: string): Promise<PublicPort> {
    const wanted = endpoint.port;
    const port = this.#ports.get(wanted) ?? (wanted ? await this.#opening.get(wanted) : undefined);
    if (port && this.#ports.get(wanted) === port) {
      if (port.owner !== owner) {
        throw new FwdError(
          ErrorCodes.ADDR_IN_USE,
          `public port ${wanted} belongs to client ${JSON.stringify(port.owner)}, not ${JSON.stringify(owner)}`,
        );
      }
      if (port.endpoint.host !== endpoint.host) {
        throw new FwdError(
          ErrorCodes.ADDR_IN_USE,
          `public port ${wanted} is already open on ${port.key}`,
        );
      }
      return port;
    }
    const opening = PublicPort.open(endpoint, owner, this.#limits, this.#services);
    if (wanted) this.#opening.set(wanted, opening);
    try {
      const opened = await opening;
      if (this.state !== "running") {
        await opened.close();
        throw new FwdError(ErrorCodes.ABORTED, "the server is closing");
      }
      this.#ports.set(opened.boundPort, opened);
      debug("public port %s opened for %s from %s", opened.key, owner, from);
      this.emit("portOpened", { ...statusOf(opened), ownerAddress: from });
      return opened;
    } finally {
      if (wanted) this.#opening.delete(wanted);
    }
  }
}

function statusOf(port: PublicPort): PublicPortStatus {
  const { host } = port.endpoint;
  return { port: formatEndpoint({ host, port: port.boundPort }), ...port.status };
}

/** Starts a reverse-tunnel server and resolves once it listens for registrations. */
export function startMultiServer(options: MultiServerOptions): Promise<MultiServer> {
  return new MultiServer(options).start();
}
