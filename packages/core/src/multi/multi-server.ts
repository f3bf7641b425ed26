import type { Socket } from "node:net";
import createDebug from "debug";
import { type Endpoint, formatEndpoint } from "../address.js";
import type { ConnectionInfo } from "../connection-hub.js";
import { ErrorCodes, FwdError } from "../errors.js";
import { readFrame } from "../handshake.js";
import { LEGACY_EX, LegacyRequestParser } from "../protocol/legacy.js";
import type { Relay } from "../relay.js";
import { TcpService } from "../service.js";
import { DEFAULT_HANDSHAKE_TIMEOUT_MS } from "../user-server.js";
import { PublicPort, type PublicPortLimits, type PublicPortOwner } from "./public-port.js";

const debug = createDebug("fwd:core:multi");

export interface MultiServerOptions {
  /** Where multi-clients register. */
  bind: Endpoint;
  /** A client that has not sent its whole request by then is dropped (default 10 s). */
  handshakeTimeoutMs?: number;
  /** A public connection waits this long for a registration (default 10 s). */
  holdTimeoutMs?: number;
  /** At most this many public connections wait per port (default 128). */
  maxHeldPerPort?: number;
  /** Close a waiting registration after this long (default 65 s: clients renew every 30 s). */
  registrationTimeoutMs?: number;
  /** Keep an idle port for its owner this long after its last registration and relay (default 1 s). */
  portLingerMs?: number;
  /** Close a relayed connection after this long without a byte either way. */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
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
      lingerMs: options.portLingerMs ?? 1000,
    };
    this.portOwner = {
      track: (socket) => this.track(socket),
      opened: (remote) => this.opened(remote),
      markFailed: (info, error) => this.markFailed(info, error),
      startRelay: (publicSocket, registration, info): Relay =>
        this.startRelay(publicSocket, registration, info, { idleTimeoutMs: options.idleTimeoutMs }),
      released: (port) => {
        if (this.ports.get(port.key) === port) this.ports.delete(port.key);
      },
    };
  }

  /** @internal use startMultiServer() */
  async start(): Promise<this> {
    await this.listenOn(this.options.bind, this.options.signal);
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

  protected async serve(socket: Socket, info: ConnectionInfo): Promise<void> {
    const { value: request } = await readFrame(socket, new LegacyRequestParser(), {
      timeoutMs: this.options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
      what: `client ${info.remote}`,
      signal: this.shutdownSignal,
    });
    info.clientId = request.uniqueId;
    const endpoint = { host: request.host, port: request.port };
    info.target = `public port ${formatEndpoint(endpoint)}`;
    let port: PublicPort;
    try {
      port = await this.portFor(endpoint, request.uniqueId);
    } catch (err) {
      // EX is what multi-clients understand as "this port cannot be yours now".
      socket.end(LEGACY_EX);
      throw err;
    }
    debug("#%d %s (%s) registered %s", info.id, info.remote, info.clientId, port.key);
    port.addRegistration(socket, info);
  }

  /** The owner's port: already open, being opened, or opened now. */
  private async portFor(endpoint: Endpoint, owner: string): Promise<PublicPort> {
    const key = formatEndpoint(endpoint);
    if (endpoint.port < 1 || endpoint.port > 65535) {
      throw new FwdError(ErrorCodes.PROTOCOL, `public port ${endpoint.port} is not a TCP port`);
    }
    const port = this.ports.get(key) ?? (await this.opening.get(key));
    if (port && this.ports.get(key) === port) {
      if (port.owner !== owner) {
        throw new FwdError(
          ErrorCodes.ADDR_IN_USE,
          `public port ${key} belongs to client ${JSON.stringify(port.owner)}, not ${JSON.stringify(owner)}`,
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
