import type { Socket } from "node:net";
import createDebug from "debug";
import { Acceptor } from "../acceptor.js";
import { type Endpoint, formatEndpoint } from "../address.js";
import type { PortAllowlist } from "../allowlist.js";
import type { ConnectionRecord } from "../connection-info.js";
import { defaults } from "../defaults.js";
import { ErrorCodes, FwdError } from "../errors.js";
import { acceptHandshake, refuseWith } from "../server-handshake.js";
import { FwdService } from "../service.js";
import type { TunnelServerOptions } from "../tunnel-options.js";
import { type PortServices, PublicPort, type PublicPortLimits } from "./public-port.js";

const debug = createDebug("fwd:core:multi");

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
export class MultiServer extends FwdService {
  readonly #options: MultiServerOptions;
  readonly #acceptor: Acceptor;
  readonly #ports = new Map<string, PublicPort>();
  /** Ports being bound: registrations for them wait for the outcome. */
  readonly #opening = new Map<string, Promise<PublicPort>>();
  readonly #limits: PublicPortLimits;
  readonly #services: PortServices;

  constructor(options: MultiServerOptions) {
    super(options.signal);
    this.#options = options;
    this.#acceptor = new Acceptor(
      this.hub,
      (socket, record, handshakeDone) => this.#serve(socket, record, handshakeDone),
      {
        bind: options.bind,
        tls: options.tls,
        maxHandshakes: options.maxHandshakes ?? defaults.maxHandshakes,
      },
    );
    this.#limits = {
      holdTimeoutMs: options.holdTimeoutMs ?? defaults.holdTimeoutMs,
      maxHeld: options.maxHeldPerPort ?? defaults.maxHeldPerPort,
      registrationTimeoutMs: options.registrationTimeoutMs ?? defaults.registrationTimeoutMs,
      maxWaiting: options.maxWaitingPerPort ?? defaults.maxWaitingPerPort,
      lingerMs: options.portLingerMs ?? defaults.portLingerMs,
    };
    this.#services = {
      track: (socket) => this.hub.track(socket),
      open: (remote) => this.hub.open(remote),
      fail: (record, error) => this.hub.fail(record, error),
      startRelay: (publicSocket, registration, record) =>
        this.hub.startRelay(publicSocket, registration, record, {
          idleTimeoutMs: options.idleTimeoutMs,
        }),
      released: (port) => {
        const key = String(port.endpoint.port);
        if (this.#ports.get(key) === port) this.#ports.delete(key);
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
    return [...this.#ports.values()].map((port) => ({ port: port.key, ...port.status }));
  }

  /** @internal */
  protected onStart(): Promise<void> {
    return this.#acceptor.listen();
  }

  /** Stops taking registrations and closes the public ports; relays go on. @internal */
  protected async stopAccepting(): Promise<void> {
    this.#acceptor.close();
    await Promise.all([...this.#ports.values()].map((port) => port.close()));
    this.#ports.clear();
  }

  async #serve(socket: Socket, info: ConnectionRecord, handshakeDone: () => void): Promise<void> {
    const what = `client ${info.remote}`;
    const request = await acceptHandshake(socket, {
      mode: "multi",
      token: this.#options.token,
      timeoutMs: this.#options.handshakeTimeoutMs ?? defaults.handshakeTimeoutMs,
      what,
      signal: this.hub.signal,
    });
    info.clientId = request.uniqueId;
    const endpoint = {
      host: request.host || (this.#options.publicHost ?? defaults.publicHost),
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
    if (request.rest.length > 0) {
      refuseWith(
        request,
        "bad_request",
        new FwdError(ErrorCodes.PROTOCOL, `${who} sent data before its registration was paired`),
      );
    }
    let port: PublicPort;
    try {
      port = await this.#portFor(endpoint, request.uniqueId);
    } catch (err) {
      refuseWith(request, "port_in_use", err as FwdError);
    }
    const waitingEverywhere = [...this.#ports.values()].reduce(
      (sum, p) => sum + p.status.waiting,
      0,
    );
    if (waitingEverywhere >= defaults.maxWaitingTotal) {
      refuseWith(
        request,
        "port_in_use",
        new FwdError(
          ErrorCodes.REFUSED,
          `${who}: ${defaults.maxWaitingTotal} registrations already wait on this server`,
        ),
      );
    }
    if (port.status.waiting >= this.#limits.maxWaiting) {
      refuseWith(
        request,
        "port_in_use",
        new FwdError(
          ErrorCodes.REFUSED,
          `${who}: ${this.#limits.maxWaiting} registrations already wait on public port ${port.key}`,
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
  async #portFor(endpoint: Endpoint, owner: string): Promise<PublicPort> {
    const key = String(endpoint.port);
    const port = this.#ports.get(key) ?? (await this.#opening.get(key));
    if (port && this.#ports.get(key) === port) {
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
    const opening = PublicPort.open(endpoint, owner, this.#limits, this.#services);
    this.#opening.set(key, opening);
    try {
      const opened = await opening;
      if (this.state !== "running") {
        await opened.close();
        throw new FwdError(ErrorCodes.ABORTED, "the server is closing");
      }
      this.#ports.set(key, opened);
      return opened;
    } finally {
      this.#opening.delete(key);
    }
  }
}

/** Starts a reverse-tunnel server and resolves once it listens for registrations. */
export function startMultiServer(options: MultiServerOptions): Promise<MultiServer> {
  return new MultiServer(options).start();
}
