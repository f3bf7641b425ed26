import type { Socket } from "node:net";
import createDebug from "debug";
import type { V2Session } from "./client-v2.js";
import { Demand } from "./demand.js";
import { ErrorCodes, FwdError, toFwdError } from "./errors.js";
import { Link } from "./link.js";
import { Outage } from "./multi/outage.js";

const debug = createDebug("fwd:core:ready");

/** How often surplus ready links are let go. */
const TRIM_EVERY_MS = 5000;

/** A link made ahead of demand: connected, authenticated, answering heartbeats. */
export interface ReadyLink {
  socket: Socket;
  session: V2Session;
}

export interface ReadyPoolOptions {
  /** Makes one link: dial, TLS, hello, AUTH, READY. */
  make(signal: AbortSignal): Promise<ReadyLink>;
  heartbeatMs: number;
  /** The server, for messages. */
  what: string;
  /** Links kept ready at least (0: none until connections come) and at most. */
  min: number;
  max: number;
  /** Making a link failed in a way retrying cannot fix (a wrong token, a wrong pin). */
  onFatal(error: FwdError): void;
  /** Whether a failure is of that kind. */
  isFatal(error: FwdError): boolean;
  /** Told when making links starts or stops working (one call per change). */
  onHealth?(ok: boolean, error?: FwdError): void;
  /** False while links must not be made (the server turned out to speak legacy only). */
  enabled(): boolean;
}

interface Pooled {
  ready: ReadyLink;
  link: Link;
}

type Taken = ReadyLink & { rest: Buffer };

/**
 * Links a user-client keeps ready so a new connection needs one round trip
 * (its request) instead of a TCP, TLS and auth handshake first. The pool
 * holds `min` links, more while connections arrive fast (sized to the rate
 * and to how long a link takes to make), never more than `max`; failures
 * pace it like a reconnect (one backoff per outage, never a busy loop).
 */
export class ReadyPool {
  private readonly links: Pooled[] = [];
  private readonly demand = new Demand();
  private readonly outage = new Outage();
  private readonly stopping = new AbortController();
  private making = 0;
  private makeMs = 50;
  private healthy: boolean | undefined;
  private readonly trimmer: NodeJS.Timeout;
  /** Connections waiting for the next link made. */
  private readonly waiters: Array<(taken: Taken | undefined) => void> = [];

  constructor(private readonly options: ReadyPoolOptions) {
    // After a burst, the links beyond what is wanted go.
    this.trimmer = setInterval(() => this.trim(), TRIM_EVERY_MS);
    this.trimmer.unref();
    this.fill();
  }

  /** Links ready now. */
  get size(): number {
    return this.links.length;
  }

  /** Last heartbeat round trip on a ready link. */
  get rttMs(): number | undefined {
    let rtt: number | undefined;
    for (const { link } of this.links) rtt = link.rttMs ?? rtt;
    return rtt;
  }

  /**
   * The next link made, for a connection that found none ready: resolves
   * with it, or with undefined when the pool closes or `signal` aborts.
   */
  next(signal: AbortSignal): Promise<Taken | undefined> {
    const waiting = new Promise<Taken | undefined>((resolve) => {
      const done = (taken: Taken | undefined) => {
        signal.removeEventListener("abort", onAbort);
        resolve(taken);
      };
      const onAbort = () => {
        const index = this.waiters.indexOf(done);
        if (index >= 0) this.waiters.splice(index, 1);
        resolve(undefined);
      };
      this.waiters.push(done);
      signal.addEventListener("abort", onAbort, { once: true });
    });
    this.fill();
    return waiting;
  }

  /** Takes the freshest ready link for a new connection, if there is one. */
  take(): Taken | undefined {
    this.demand.note();
    let best = -1;
    for (let i = 0; i < this.links.length; i++) {
      const silent = this.links[i]!.link.silentForMs;
      if (best < 0 || silent < this.links[best]!.link.silentForMs) best = i;
    }
    const taken = best < 0 ? undefined : this.links.splice(best, 1)[0];
    this.fill();
    if (!taken) return undefined;
    const rest = taken.link.release();
    return { ...taken.ready, rest };
  }

  close(): void {
    this.stopping.abort();
    clearInterval(this.trimmer);
    for (const wake of this.waiters.splice(0)) wake(undefined);
    for (const { link } of this.links.splice(0)) {
      link.kill(new FwdError(ErrorCodes.ABORTED, "the client stopped"));
    }
  }

  private get wanted(): number {
    return this.demand.size(this.makeMs, this.options.min, this.options.max);
  }

  /** Makes links until ready and in-flight ones cover what is wanted. */
  private fill(): void {
    while (
      !this.stopping.signal.aborted &&
      this.options.enabled() &&
      this.links.length + this.making < this.wanted + this.waiters.length
    ) {
      this.making++;
      void this.makeOne().finally(() => {
        this.making--;
        this.fill(); // after a failure: the next attempt, paced by the outage
      });
    }
  }

  private async makeOne(): Promise<void> {
    const signal = this.stopping.signal;
    try {
      await this.outage.turn(signal);
    } catch {
      return; // closed while waiting
    }
    const started = performance.now();
    let ready: ReadyLink;
    try {
      ready = await this.options.make(signal);
    } catch (err) {
      if (signal.aborted) return;
      const error = toFwdError(err);
      if (this.options.isFatal(error)) {
        this.options.onFatal(error);
        return;
      }
      this.outage.failed();
      this.health(false, error);
      return;
    }
    this.outage.ended();
    this.health(true);
    // A smoothed time to make a link: the pool grows with it.
    this.makeMs = 0.8 * this.makeMs + 0.2 * (performance.now() - started);
    if (signal.aborted) {
      ready.socket.destroy();
      return;
    }
    this.keep(ready);
  }

  private keep(ready: ReadyLink): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter({ ...ready, rest: ready.session.rest });
      this.fill();
      return;
    }
    const entry: Pooled = {
      ready,
      link: new Link(ready.socket, {
        initial: ready.session.rest,
        heartbeatMs: this.options.heartbeatMs,
        what: this.options.what,
        onFrame: (frame) => {
          entry.link.kill(
            new FwdError(
              ErrorCodes.PROTOCOL,
              `${this.options.what} sent frame type ${frame.type} on a ready link`,
            ),
          );
        },
        onDead: (error) => {
          const index = this.links.indexOf(entry);
          if (index >= 0) this.links.splice(index, 1);
          debug("ready link to %s ended: %s", this.options.what, error.message);
          this.fill();
        },
      }),
    };
    this.links.push(entry);
    // More may be wanted now (the rate rose while this one was made), or fewer.
    this.trim();
    this.fill();
  }

  /** Lets links beyond what is wanted go (the burst is over). */
  private trim(): void {
    while (this.links.length > this.wanted) {
      const oldest = this.links.shift();
      oldest?.link.kill(new FwdError(ErrorCodes.ABORTED, "more links ready than needed"));
    }
  }

  private health(ok: boolean, error?: FwdError): void {
    if (this.healthy === ok) return;
    this.healthy = ok;
    this.options.onHealth?.(ok, error);
  }
}
