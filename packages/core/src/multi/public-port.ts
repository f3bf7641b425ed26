import type { Server, Socket } from "node:net";
import createDebug from "debug";
import { type Endpoint, formatEndpoint, formatSocketAddress } from "../address.js";
import type { ConnectionRecord } from "../connection-info.js";
import { ErrorCodes, FwdError } from "../errors.js";
import { Link } from "../link.js";
import { listen, stopListening } from "../listen.js";
import { LEGACY_OK } from "../protocol/legacy.js";
import { encodeOffer, FrameType, type V2Frame } from "../protocol/v2.js";
import type { Relay } from "../relay.js";
import { Traffic, type TrafficCounters } from "../traffic.js";
import { HeldVisitor } from "./held-visitor.js";
import { LegacyRegistration } from "./legacy-registration.js";

const debug = createDebug("fwd:core:multi");

/** Limits that keep one public port from holding resources without bound. */
export interface PublicPortLimits {
  /** A visitor waits this long for a live registration before it is closed. */
  holdTimeoutMs: number;
  /** At most this many visitors wait at once; more are closed at once. */
  maxHeld: number;
  /** Bytes kept from a waiting visitor (then it waits to send more). */
  heldBytes: number;
  /** A legacy registration nothing paired within this long is closed (its client renews sooner). */
  registrationTimeoutMs: number;
  /** At most this many registrations wait at once; more are refused. */
  maxWaiting: number;
  /** With no registration and no relay left, the port closes after this long. */
  lingerMs: number;
  /** Heartbeats on waiting v2 registrations (0: none). */
  heartbeatMs: number;
  /** An offered registration must ACCEPT within this long (or 3 round trips, if longer). */
  confirmMs: number;
}

/** What a public port needs from its server: the server's connection bookkeeping. */
export interface PortServices {
  track(socket: Socket): void;
  open(remote: string): ConnectionRecord;
  fail(info: ConnectionRecord, error: FwdError): void;
  /** Relays a visitor (`a`) with the registration it was paired with (`b`). */
  startRelay(
    visitor: Socket,
    registration: Socket,
    info: ConnectionRecord,
    head: { toA: Buffer; toB: Buffer },
  ): Relay;
  released(port: PublicPort): void;
}

/** What a public port is doing. */
export interface PublicPortState {
  /** The client id that owns it. */
  owner: string;
  /** The address of the owner's latest registration. */
  ownerAddress: string;
  protocol: "legacy" | "v2";
  /** Registrations waiting for a visitor. */
  waiting: number;
  /** Visitors waiting for a registration. */
  held: number;
  relays: number;
  openedAt: number;
  /** Last heartbeat round trip to the owner, where heartbeats run. */
  rttMs: number | undefined;
  traffic: TrafficCounters;
}

interface Waiting {
  socket: Socket;
  record: ConnectionRecord;
  /** v2: the link carrying heartbeats, the offer and the accept. */
  link?: Link;
  legacy?: LegacyRegistration;
  /** The visitor offered to it, waiting for its ACCEPT. */
  offered?: Offer;
}

interface Offer {
  visitor: Pending;
  timer: NodeJS.Timeout;
}

interface Pending {
  visitor: HeldVisitor;
  timer: NodeJS.Timeout;
  offeredTo?: Waiting;
}

/**
 * One public port of a multi-server and the client id that owns it. Each
 * visitor is held (its bytes kept) and offered to the owner's registration
 * heard from most recently; a v2 registration must confirm with ACCEPT in
 * time, or it is dropped as dead and the next one is tried, so no visitor
 * waits on a dead registration. Legacy registrations cannot confirm: they
 * are paired at once, as the legacy server did. With neither a registration
 * nor a relay left, the port closes after a short linger, so a restarting
 * owner keeps it and anyone else gets it soon.
 */
export class PublicPort {
  private readonly waiting: Waiting[] = [];
  private readonly held: Pending[] = [];
  private readonly traffic = new Traffic();
  private relays = 0;
  private lingerTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private ownerAddress = "";
  private protocol: "legacy" | "v2" = "v2";
  private readonly openedAt = Date.now();
  private bound: number | undefined;

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
    const server = await listen({
      ...endpoint,
      adopt: true,
      onConnection: (socket) => port?.accept(socket),
    });
    port = new PublicPort(endpoint, owner, server, limits, services);
    debug("public port %s opened for %s", port.key, owner); // (reads and keeps the bound port)
    return port;
  }

  get key(): string {
    return formatEndpoint({ host: this.endpoint.host, port: this.boundPort });
  }

  /** The port as bound (the real port when 0 was asked for), also once closed. */
  get boundPort(): number {
    if (this.bound === undefined) {
      const address = this.server.address();
      if (address && typeof address === "object") this.bound = address.port;
    }
    return this.bound ?? this.endpoint.port;
  }

  /** Registrations free to take a visitor. */
  get waitingCount(): number {
    let free = 0;
    for (const entry of this.waiting) if (!entry.offered) free++;
    return free;
  }

  /** What the port is doing, for status displays and tests. */
  get status(): PublicPortState {
    let rttMs: number | undefined;
    for (const entry of this.waiting) rttMs = entry.link?.rttMs ?? rttMs;
    return {
      owner: this.owner,
      ownerAddress: this.ownerAddress,
      protocol: this.protocol,
      waiting: this.waitingCount,
      held: this.held.length,
      relays: this.relays,
      openedAt: this.openedAt,
      rttMs,
      traffic: this.traffic.snapshot(),
    };
  }

  /** Takes a registration of the owner: it waits (with heartbeats, over v2) or takes a held visitor. */
  addRegistration(
    socket: Socket,
    record: ConnectionRecord,
    protocol: "legacy" | "v2",
    rest: Buffer,
  ): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    this.ownerAddress = record.remote;
    this.protocol = protocol;
    const entry: Waiting = { socket, record };
    const drop = (error?: FwdError) => this.dropRegistration(entry, error);
    if (protocol === "v2") {
      entry.link = new Link(socket, {
        initial: rest,
        heartbeatMs: this.limits.heartbeatMs,
        what: `client ${record.remote}`,
        onFrame: (frame) => this.onRegistrationFrame(entry, frame),
        onDead: (error) => drop(error.code === ErrorCodes.HANDSHAKE_CLOSED ? undefined : error),
      });
    } else {
      entry.legacy = new LegacyRegistration(
        socket,
        record,
        this.limits.registrationTimeoutMs,
        drop,
      );
    }
    this.waiting.push(entry);
    this.updateLinger();
    const next = this.held.find((pending) => !pending.offeredTo);
    if (next) this.dispatch(next);
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    clearTimeout(this.lingerTimer);
    for (const entry of this.waiting.splice(0)) this.discard(entry);
    for (const pending of this.held.splice(0)) {
      clearTimeout(pending.timer);
      pending.visitor.socket.destroy();
    }
    stopListening(this.server);
    debug("public port %s closed", this.key);
  }

  private accept(socket: Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    this.services.track(socket);
    const record = this.services.open(
      formatSocketAddress({ address: socket.remoteAddress, port: socket.remotePort }),
    );
    record.target = `public port ${this.key} of ${this.owner}`;
    if (this.held.length >= this.limits.maxHeld) {
      socket.destroy();
      this.services.fail(
        record,
        new FwdError(
          ErrorCodes.REFUSED,
          `public port ${this.key}: ${this.limits.maxHeld} visitors already wait for a registration`,
        ),
      );
      return;
    }
    const pending: Pending = {
      visitor: new HeldVisitor(socket, record, this.limits.heldBytes, () =>
        this.visitorGone(pending),
      ),
      timer: setTimeout(() => this.holdExpired(pending), this.limits.holdTimeoutMs),
    };
    this.held.push(pending);
    this.updateLinger();
    this.dispatch(pending);
  }

  /** Offers a held visitor to the registration heard from most recently, if any is free. */
  private dispatch(pending: Pending): void {
    const entry = this.freshest();
    if (!entry) {
      debug(
        "public port %s holds %s (%d held)",
        this.key,
        pending.visitor.record.remote,
        this.held.length,
      );
      return;
    }
    if (entry.legacy) {
      // A legacy client cannot confirm: it is paired at once, as ever.
      this.pair(pending, entry, Buffer.alloc(0), LEGACY_OK);
      return;
    }
    const link = entry.link!;
    link.hush();
    link.send(encodeOffer(pending.visitor.record.remote));
    pending.offeredTo = entry;
    const confirmMs = Math.max(this.limits.confirmMs, 3 * (link.rttMs ?? 0));
    entry.offered = {
      visitor: pending,
      timer: setTimeout(() => {
        this.dropRegistration(
          entry,
          new FwdError(
            ErrorCodes.TIMEOUT,
            `client ${entry.record.remote} did not take a visitor within ${confirmMs} ms; its registration is dead`,
          ),
        );
      }, confirmMs),
    };
  }

  private onRegistrationFrame(entry: Waiting, frame: V2Frame): void {
    const offer = entry.offered;
    if (frame.type !== FrameType.ACCEPT || !offer) {
      entry.link?.kill(
        new FwdError(
          ErrorCodes.PROTOCOL,
          `client ${entry.record.remote} sent frame type ${frame.type} on a waiting registration`,
        ),
      );
      return;
    }
    clearTimeout(offer.timer);
    const rest = entry.link!.release();
    this.pair(offer.visitor, entry, rest, undefined);
  }

  /** Pairs a visitor with a registration: the relay starts with what each sent meanwhile. */
  private pair(pending: Pending, entry: Waiting, rest: Buffer, message: Buffer | undefined): void {
    this.remove(this.waiting, entry);
    this.remove(this.held, pending);
    clearTimeout(pending.timer);
    entry.legacy?.detach();
    if (message) entry.socket.write(message);
    const { visitor } = pending;
    const toB = visitor.release();
    this.relays++;
    this.updateLinger();
    const relay = this.services.startRelay(visitor.socket, entry.socket, visitor.record, {
      toA: rest,
      toB,
    });
    this.traffic.opened();
    this.traffic.relaying(relay);
    relay.once("close", () => {
      this.relays--;
      this.updateLinger();
    });
  }

  /** Drops a waiting registration; a visitor it was offered goes to the next one. */
  private dropRegistration(entry: Waiting, error?: FwdError): void {
    if (!this.remove(this.waiting, entry)) return;
    const offer = entry.offered;
    this.discard(entry);
    if (error) this.services.fail(entry.record, error);
    if (offer) {
      offer.visitor.offeredTo = undefined;
      if (this.held.includes(offer.visitor)) this.dispatch(offer.visitor);
    }
    this.updateLinger();
  }

  private discard(entry: Waiting): void {
    if (entry.offered) clearTimeout(entry.offered.timer);
    entry.link?.release();
    entry.legacy?.detach();
    entry.socket.destroy();
  }

  /** The free registration heard from most recently (legacy ones in arrival order). */
  private freshest(): Waiting | undefined {
    let best: Waiting | undefined;
    for (const entry of this.waiting) {
      if (entry.offered) continue;
      if (!entry.link) return best ?? entry;
      if (!best || (best.link && entry.link.silentForMs < best.link.silentForMs)) best = entry;
    }
    return best;
  }

  /** A held visitor hung up: never paired; a registration it was offered is spent. */
  private visitorGone(pending: Pending): void {
    if (!this.remove(this.held, pending)) return;
    clearTimeout(pending.timer);
    if (pending.offeredTo) this.dropRegistration(pending.offeredTo);
    this.updateLinger();
  }

  private holdExpired(pending: Pending): void {
    if (!this.remove(this.held, pending)) return;
    pending.visitor.socket.destroy();
    if (pending.offeredTo) this.dropRegistration(pending.offeredTo);
    this.updateLinger();
    this.services.fail(
      pending.visitor.record,
      new FwdError(
        ErrorCodes.TIMEOUT,
        `public port ${this.key}: no live registration from ${this.owner} within ${this.limits.holdTimeoutMs / 1000} s`,
      ),
    );
  }

  private remove<T>(list: T[], item: T): boolean {
    const index = list.indexOf(item);
    if (index < 0) return false;
    list.splice(index, 1);
    return true;
  }

  /** Arms the release timer when the owner has nothing here, disarms it otherwise. */
  private updateLinger(): void {
    clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    // Held visitors keep the port too: they wait for the owner's next registration.
    if (this.closing || this.waiting.length > 0 || this.held.length > 0 || this.relays > 0) return;
    this.lingerTimer = setTimeout(() => {
      debug("public port %s released by %s", this.key, this.owner);
      void this.close();
      this.services.released(this);
    }, this.limits.lingerMs);
  }
}
