import type { Duplex } from "node:stream";
import createDebug from "debug";
import { readerOf } from "./chunk-reader.js";
import { ErrorCodes, FwdError, fromSystemError, toFwdError } from "./errors.js";
import { V2FrameStream } from "./protocol/frame-stream.js";
import { decodePing, encodePing, FrameType, PING_SIZE, type V2Frame } from "./protocol/v2.js";

const debug = createDebug("fwd:core:link");

/** A link is declared dead after this many heartbeat intervals without a byte from the peer. */
export const MISSED_HEARTBEATS = 3;

export interface LinkOptions {
  /** Bytes already read past the handshake: parsed before anything new. */
  initial?: Buffer | undefined;
  /** Send a PING this often and expect the peer within MISSED_HEARTBEATS of them (0: neither). */
  heartbeatMs: number;
  /** The peer, for messages: "server vps:33333". */
  what: string;
  /** A frame other than PING or PONG (an offer, an accept, a request). */
  onFrame(frame: V2Frame): void;
  /** The link failed (silence past the deadline, a close, bad bytes). Called at most once. */
  onDead(error: FwdError): void;
}

/**
 * A v2 connection between its handshake and its relay: a registration
 * waiting for a visitor, or a link kept ready for the next connection. Both
 * ends send PINGs while it is idle and answer the other's; any byte from
 * the peer shows it alive. A router that forgot the connection, or a peer
 * gone silent, is noticed within MISSED_HEARTBEATS intervals, not after the
 * minutes TCP keepalive takes.
 */
export class Link {
  /** Last round trip of one of this side's PINGs. */
  rttMs: number | undefined;
  private lastHeard = performance.now();
  private readonly frames: V2FrameStream;
  private pingTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private deadlineMs: number;
  private quiet = false;
  private finished = false;
  /** Bytes after the frame being handled: the next owner's, if the handler releases the link. */
  private after: Buffer | undefined;

  constructor(
    private readonly socket: Duplex,
    private readonly options: LinkOptions,
  ) {
    this.frames = new V2FrameStream(`link with ${options.what}`);
    this.deadlineMs = options.heartbeatMs * MISSED_HEARTBEATS;
    socket.once("end", this.onEnd);
    socket.once("close", this.onClose);
    socket.on("error", this.onError);
    if (options.heartbeatMs > 0) {
      this.pingTimer = setInterval(() => this.ping(), options.heartbeatMs);
      this.pingTimer.unref();
      this.armWatchdog(this.deadlineMs);
    }
    // Frames already read are handled once the caller holds the link.
    queueMicrotask(() => {
      if (options.initial && options.initial.length > 0 && !this.take(options.initial)) return;
      if (!this.finished) readerOf(socket).start((chunk) => this.take(chunk));
    });
  }

  /** Milliseconds since the last byte from the peer. */
  get silentForMs(): number {
    return performance.now() - this.lastHeard;
  }

  get closed(): boolean {
    return this.finished;
  }

  send(frame: Buffer): void {
    if (!this.finished) this.socket.write(frame);
  }

  /**
   * Asks the peer now, when something suggests the path died (a sibling
   * link went silent): the link is dead unless the peer answers within
   * `deadlineMs`.
   */
  probe(deadlineMs: number): void {
    if (this.finished || this.quiet) return;
    this.ping();
    this.armWatchdog(deadlineMs);
  }

  /**
   * Stops pinging and answering pings: after an offer the server promises
   * the client no byte but the relay's.
   */
  hush(): void {
    this.quiet = true;
    clearInterval(this.pingTimer);
  }

  /** Ends the link phase: returns the bytes read after the last frame; the socket stays open and paused. */
  release(): Buffer {
    const rest = this.after ?? Buffer.alloc(0);
    this.stop();
    return rest;
  }

  /** Gives up on the link: `onDead` with `error`, and the socket is destroyed. */
  kill(error: FwdError): void {
    if (this.finished) return;
    this.stop();
    this.socket.destroy();
    this.options.onDead(error);
  }

  private take(chunk: Buffer): boolean {
    if (this.finished) return false;
    this.lastHeard = performance.now();
    if (this.watchdog) this.armWatchdog(this.deadlineMs);
    try {
      this.frames.push(chunk, (frame, rest) => {
        this.after = rest;
        this.handle(frame);
        return !this.finished;
      });
    } catch (err) {
      this.kill(toFwdError(err));
      return false;
    } finally {
      this.after = undefined;
    }
    return !this.finished;
  }

  private handle(frame: V2Frame): void {
    if (frame.type === FrameType.PING) {
      const payload = decodePing(frame.body);
      if (!this.quiet) this.socket.write(encodePing(FrameType.PONG, payload));
      return;
    }
    if (frame.type === FrameType.PONG) {
      const sentAt = decodePing(frame.body, "pong").readDoubleBE(0);
      const rtt = performance.now() - sentAt;
      if (rtt >= 0 && rtt < 600_000) this.rttMs = rtt;
      return;
    }
    this.options.onFrame(frame);
  }

  private ping(): void {
    if (this.finished || this.quiet) return;
    const payload = Buffer.alloc(PING_SIZE);
    payload.writeDoubleBE(performance.now(), 0);
    this.socket.write(encodePing(FrameType.PING, payload));
  }

  private armWatchdog(deadlineMs: number): void {
    if (deadlineMs <= 0) return;
    clearTimeout(this.watchdog);
    const heardAt = this.lastHeard;
    this.watchdog = setTimeout(() => {
      if (this.lastHeard !== heardAt) return; // heard since: re-armed already
      const seconds = (this.silentForMs / 1000).toFixed(1);
      debug("%s silent for %s s: dead", this.options.what, seconds);
      this.kill(
        new FwdError(
          ErrorCodes.TIMEOUT,
          `${this.options.what} went silent: no heartbeat for ${seconds} s (the network or a router between dropped the connection)`,
        ),
      );
    }, deadlineMs);
    this.watchdog.unref();
  }

  private stop(): void {
    if (this.finished) return;
    this.finished = true;
    clearInterval(this.pingTimer);
    clearTimeout(this.watchdog);
    readerOf(this.socket).stop();
    this.socket.off("end", this.onEnd);
    this.socket.off("close", this.onClose);
    this.socket.off("error", this.onError);
  }

  private readonly onEnd = () =>
    this.kill(new FwdError(ErrorCodes.HANDSHAKE_CLOSED, `${this.options.what} closed the link`));

  private readonly onClose = () =>
    this.kill(new FwdError(ErrorCodes.HANDSHAKE_CLOSED, `${this.options.what} closed the link`));

  private readonly onError = (err: Error) =>
    this.kill(fromSystemError(err, "handshake", this.options.what));
}
