import type { Server, Socket } from "node:net";
import createDebug from "debug";
import { type Endpoint, formatEndpoint, formatSocketAddress } from "../address.js";
import { readerOf } from "../chunk-reader.js";
import type { ConnectionRecord } from "../connection-info.js";
import { ErrorCodes, FwdError } from "../errors.js";
import { listen, stopListening } from "../listen.js";
import type { Relay } from "../relay.js";

const debug = createDebug("fwd:core:multi");

/** Limits that keep one public port from holding resources without bound. */
export interface PublicPortLimits {
  /** A public connection waits this long for a registration before it is closed. */
  holdTimeoutMs: number;
  /** At most this many public connections wait at once; more are closed at once. */
  maxHeld: number;
  /** A registration nothing paired within this long is closed (its client renews sooner). */
  registrationTimeoutMs: number;
  /** At most this many registrations wait at once; more are refused. */
  maxWaiting: number;
  /** With no registration and no relay left, the port closes after this long. */
  lingerMs: number;
}

/** What a public port needs from its server: the server's connection bookkeeping. */
export interface PortServices {
  track(socket: Socket): void;
  open(remote: string): ConnectionRecord;
  fail(info: ConnectionRecord, error: FwdError): void;
  /** Relays a public connection (`a`) with the registration it was paired with (`b`). */
  startRelay(publicSocket: Socket, registration: Socket, info: ConnectionRecord): Relay;
  released(port: PublicPort): void;
}

/** Builds the bytes that tell a waiting client it is paired (its protocol's OK). */
export type PairedMessage = (publicPeer: string) => Buffer;

interface Waiting {
  socket: Socket;
  info: ConnectionRecord;
  pairedMessage: PairedMessage;
  timer: NodeJS.Timeout;
  /** Detaches the waiting-time listeners. */
  detach(): void;
}

interface Held {
  socket: Socket;
  info: ConnectionRecord;
  timer: NodeJS.Timeout;
}

/**
 * One public port of a multi-server and the client id that owns it. The
 * listener stays open while the owner keeps registering: a public connection
 * is paired with the oldest waiting registration, or held (bounded in time
 * and number) until the next one arrives. When the owner has neither a
 * registration waiting nor a connection relayed, the port closes after a
 * short linger, so a restarting owner keeps it and anyone else gets it soon.
 */
export class PublicPort {
  private readonly waiting: Waiting[] = [];
  private readonly held: Held[] = [];
  private relays = 0;
  private lingerTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    readonly endpoint: Endpoint,
    readonly owner: string,
    private readonly server: Server,
    private readonly limits: PublicPortLimits,
    private readonly services: PortServices,
  ) {}

  /** Binds the port for `owner`; rejects with an FwdError if it cannot. */
  static async open(
    endpoint: Endpoint,
    owner: string,
    limits: PublicPortLimits,
    services: PortServices,
  ): Promise<PublicPort> {
    let port: PublicPort | undefined;
    const server = await listen({ ...endpoint, onConnection: (socket) => port?.accept(socket) });
    port = new PublicPort(endpoint, owner, server, limits, services);
    debug("public port %s opened for %s", port.key, owner);
    return port;
  }

  get key(): string {
    return formatEndpoint(this.endpoint);
  }

  /** What the port is doing, for status and tests. */
  get status(): { owner: string; waiting: number; held: number; relays: number } {
    return {
      owner: this.owner,
      waiting: this.waiting.length,
      held: this.held.length,
      relays: this.relays,
    };
  }

  /** Queues a registration of the owner, or pairs it with a held public connection. */
  addRegistration(socket: Socket, info: ConnectionRecord, pairedMessage: PairedMessage): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    const held = this.held.shift();
    if (held) {
      clearTimeout(held.timer);
      this.pair(held.socket, held.info, socket, pairedMessage);
      return;
    }
    this.wait(socket, info, pairedMessage);
    this.updateLinger();
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    clearTimeout(this.lingerTimer);
    for (const entry of this.waiting.splice(0)) {
      clearTimeout(entry.timer);
      entry.detach();
      entry.socket.destroy();
    }
    for (const entry of this.held.splice(0)) {
      clearTimeout(entry.timer);
      entry.socket.destroy();
    }
    stopListening(this.server);
    debug("public port %s closed", this.key);
  }

  /** A registration waits; its close, any byte from it, or its timeout drops it. */
  private wait(socket: Socket, info: ConnectionRecord, pairedMessage: PairedMessage): void {
    const reader = readerOf(socket);
    const drop = (error?: FwdError) => {
      const index = this.waiting.indexOf(entry);
      if (index < 0) return;
      this.waiting.splice(index, 1);
      clearTimeout(entry.timer);
      entry.detach();
      socket.destroy();
      if (error) this.services.fail(info, error);
      this.updateLinger();
    };
    const onGone = () => drop();
    const entry: Waiting = {
      socket,
      info,
      pairedMessage,
      timer: setTimeout(() => drop(), this.limits.registrationTimeoutMs),
      detach: () => {
        reader.stop();
        socket.off("end", onGone);
        socket.off("close", onGone);
      },
    };
    socket.once("end", onGone);
    socket.once("close", onGone);
    // A waiting client has nothing to say until it is paired.
    reader.start(() => {
      drop(
        new FwdError(
          ErrorCodes.PROTOCOL,
          `client ${info.remote} sent data before its registration was paired`,
        ),
      );
      return false;
    });
    this.waiting.push(entry);
  }

  private accept(socket: Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    this.services.track(socket);
    const info = this.services.open(
      formatSocketAddress({ address: socket.remoteAddress, port: socket.remotePort }),
    );
    info.target = `public port ${this.key} of ${this.owner}`;
    const registration = this.waiting.shift();
    if (registration) {
      clearTimeout(registration.timer);
      registration.detach();
      this.pair(socket, info, registration.socket, registration.pairedMessage);
      return;
    }
    if (this.held.length >= this.limits.maxHeld) {
      socket.destroy();
      this.services.fail(
        info,
        new FwdError(
          ErrorCodes.REFUSED,
          `public port ${this.key}: ${this.limits.maxHeld} connections already wait for a registration`,
        ),
      );
      return;
    }
    this.hold(socket, info);
  }

  /** Keeps a public connection, unread, until a registration arrives or time runs out. */
  private hold(socket: Socket, info: ConnectionRecord): void {
    const entry: Held = {
      socket,
      info,
      timer: setTimeout(() => {
        const index = this.held.indexOf(entry);
        if (index >= 0) this.held.splice(index, 1);
        socket.destroy();
        this.updateLinger();
        this.services.fail(
          info,
          new FwdError(
            ErrorCodes.TIMEOUT,
            `public port ${this.key}: no registration from ${this.owner} within ${this.limits.holdTimeoutMs / 1000} s`,
          ),
        );
      }, this.limits.holdTimeoutMs),
    };
    socket.once("close", () => {
      const index = this.held.indexOf(entry);
      if (index < 0) return;
      this.held.splice(index, 1);
      clearTimeout(entry.timer);
      this.updateLinger();
    });
    this.held.push(entry);
    this.updateLinger();
    debug("public port %s holds %s (%d waiting)", this.key, info.remote, this.held.length);
  }

  private pair(
    publicSocket: Socket,
    info: ConnectionRecord,
    registration: Socket,
    pairedMessage: PairedMessage,
  ): void {
    registration.write(pairedMessage(info.remote));
    this.relays++;
    this.updateLinger();
    const relay = this.services.startRelay(publicSocket, registration, info);
    relay.once("close", () => {
      this.relays--;
      this.updateLinger();
    });
  }

  /** Arms the release timer when the owner has nothing here, disarms it otherwise. */
  private updateLinger(): void {
    clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    // Held public connections keep the port too: they wait for the owner's next registration.
    if (this.closing || this.waiting.length > 0 || this.held.length > 0 || this.relays > 0) return;
    this.lingerTimer = setTimeout(() => {
      debug("public port %s released by %s", this.key, this.owner);
      void this.close();
      this.services.released(this);
    }, this.limits.lingerMs);
  }
}
