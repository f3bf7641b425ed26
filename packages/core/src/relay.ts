import { addAbortListener, EventEmitter } from "node:events";
import { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { TLSSocket } from "node:tls";
import createDebug from "debug";
import { copyOf } from "./bytes.js";
import { type ChunkReader, readerOf } from "./chunk-reader.js";
import { copyBlocks } from "./copy-blocks.js";
import { ErrorCodes, FwdError } from "./errors.js";

const debug = createDebug("fwd:core:relay");

/** Why a relay ended. */
export type RelayCloseReason =
  /** Both sides sent EOF and every byte was delivered. */
  | "done"
  /** A socket failed or was reset; `error` says how. */
  | "error"
  /** No byte moved either way for `idleTimeoutMs`. */
  | "idle"
  /** The relay's AbortSignal fired. */
  | "aborted"
  /** close() was called, or a socket was destroyed from outside. */
  | "closed";

export interface RelaySummary {
  reason: RelayCloseReason;
  error?: Error;
  /** Bytes delivered from `a` to `b` and from `b` to `a`. */
  bytes: { aToB: number; bToA: number };
  durationMs: number;
}

export interface RelayOptions {
  /** Close both sides after this long without a byte either way (0 or unset: never). */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
  /** Bytes already read (after a handshake) to deliver before anything else. */
  head?: { toA?: Buffer | undefined; toB?: Buffer | undefined };
  /** A name for debug logs. */
  label?: string;
}

export interface RelayEvents {
  close: [summary: RelaySummary];
}

/**
 * Pumps bytes both ways between two connected sockets until both directions
 * have ended, one side fails, or it is closed. Created by `relay()`.
 */
export class Relay extends EventEmitter<RelayEvents> {
  /** Resolves once both sockets have closed. Never rejects. */
  readonly done: Promise<RelaySummary>;
  private readonly aToB: Pump;
  private readonly bToA: Pump;
  private readonly started = performance.now();
  private ending: { reason: RelayCloseReason; error?: Error } | undefined;
  private lastActivity = this.started;
  private idleTimer: NodeJS.Timeout | undefined;
  private removeAbortListener: (() => void) | undefined;
  private open: number;
  private resolve!: (summary: RelaySummary) => void;
  private readonly label: string;

  constructor(
    readonly a: Duplex,
    readonly b: Duplex,
    options: RelayOptions = {},
  ) {
    super();
    // Keep only the label: options.head may be a large buffer, done with once written.
    this.label = options.label ?? "relay";
    this.done = new Promise((resolve) => {
      this.resolve = resolve;
    });
    // Only an idle timeout needs the time of the last byte: no clock read per chunk otherwise.
    const touch =
      (options.idleTimeoutMs ?? 0) > 0
        ? () => {
            this.lastActivity = performance.now();
          }
        : undefined;
    this.aToB = new Pump(a, b, touch, () => this.onPumpFinished());
    this.bToA = new Pump(b, a, touch, () => this.onPumpFinished());
    // A socket may have closed before the relay began: only wait for the others.
    const live = [a, b].filter((socket) => !socket.closed);
    this.open = live.length;
    for (const socket of [a, b]) socket.on("error", (err) => this.end("error", err));
    for (const socket of live) socket.once("close", () => this.onSocketClose());
    if (options.signal) {
      if (options.signal.aborted) {
        queueMicrotask(() => this.end("aborted"));
      } else {
        const disposable = addAbortListener(options.signal, () => this.end("aborted"));
        this.removeAbortListener = () => disposable[Symbol.dispose]();
      }
    }
    const idle = options.idleTimeoutMs ?? 0;
    if (idle > 0) this.armIdleTimer(idle);
    if (a.destroyed || b.destroyed) {
      queueMicrotask(() => {
        this.end("closed");
        if (this.open === 0) this.settle();
      });
      return;
    }
    this.aToB.start(options.head?.toB);
    this.bToA.start(options.head?.toA);
  }

  get bytes(): { aToB: number; bToA: number } {
    return { aToB: this.aToB.bytes, bToA: this.bToA.bytes };
  }

  /** Whether each direction is waiting for its writer to drain (backpressure). */
  get paused(): { aToB: boolean; bToA: boolean } {
    return { aToB: this.aToB.paused, bToA: this.bToA.paused };
  }

  /** Bytes the relay holds between a read and its write, both ways. */
  get buffered(): number {
    return this.aToB.buffered + this.bToA.buffered;
  }

  /** True once the relay has started tearing down. */
  get closing(): boolean {
    return this.ending !== undefined;
  }

  /** Closes both sides now. The summary reports `reason`. */
  close(reason: RelayCloseReason = "closed", error?: Error): Promise<RelaySummary> {
    this.end(reason, error);
    return this.done;
  }

  private onPumpFinished(): void {
    if (this.aToB.finished && this.bToA.finished) this.end("done");
  }

  private onSocketClose(): void {
    // A socket closing before both directions ended was destroyed from outside.
    this.end("closed");
    if (--this.open === 0) this.settle();
  }

  private armIdleTimer(idleMs: number): void {
    // One lazy timer per relay: data only records a timestamp, the timer
    // re-arms itself for whatever is left of the idle period.
    const check = () => {
      const left = this.lastActivity + idleMs - performance.now();
      if (left > 0) {
        this.idleTimer = setTimeout(check, Math.ceil(left));
        this.idleTimer.unref();
        return;
      }
      this.end(
        "idle",
        new FwdError(ErrorCodes.TIMEOUT, `no data either way for ${idleMs} ms; closed as idle`),
      );
    };
    this.idleTimer = setTimeout(check, idleMs);
    this.idleTimer.unref();
  }

  private end(reason: RelayCloseReason, error?: Error): void {
    if (this.ending) return;
    this.ending = error ? { reason, error } : { reason };
    clearTimeout(this.idleTimer);
    this.removeAbortListener?.();
    this.aToB.stop();
    this.bToA.stop();
    if (reason === "error") {
      // A failure on one side reaches the other as a reset, the way a
      // direct connection would have seen it.
      reset(this.a);
      reset(this.b);
      return;
    }
    this.a.destroy();
    this.b.destroy();
  }

  private settle(): void {
    const summary: RelaySummary = {
      reason: this.ending?.reason ?? "closed",
      bytes: this.bytes,
      durationMs: Math.round(performance.now() - this.started),
    };
    if (this.ending?.error) summary.error = this.ending.error;
    debug(
      "%s closed (%s%s): %d B a->b, %d B b->a, %d ms",
      this.label,
      summary.reason,
      summary.error ? `: ${summary.error.message}` : "",
      summary.bytes.aToB,
      summary.bytes.bToA,
      summary.durationMs,
    );
    this.emit("close", summary);
    this.resolve(summary);
  }
}

/** Destroys a socket, with a TCP reset where the socket can send one. */
function reset(socket: Duplex): void {
  if (socket.destroyed) return;
  // libuv refuses to reset a socket whose write side is shut down (EINVAL),
  // and Node then never closes it: such a socket just closes.
  const resettable =
    socket instanceof Socket &&
    !(socket instanceof TLSSocket) &&
    !socket.connecting &&
    !socket.writableEnded;
  if (resettable) socket.resetAndDestroy();
  else socket.destroy();
}

/**
 * How much a direction may queue in its writer before it stops reading:
 * enough to keep a TLS writer (which encrypts, then waits on TCP) busy while
 * the next chunks are read, small enough to bound memory per connection.
 */
const QUEUE_LIMIT = 128 * 1024;

/** One direction of a relay: reads from `src`, writes to `dst`, carries EOF over. */
class Pump {
  bytes = 0;
  finished = false;
  paused = false;
  private readonly reader: ChunkReader;
  /** A TLS writer holds its chunks until encrypted data reaches TCP: lent chunks are copied for it. */
  private readonly copyLent: boolean;

  constructor(
    private readonly src: Duplex,
    private readonly dst: Duplex,
    private readonly touch: (() => void) | undefined,
    private readonly onFinished: () => void,
  ) {
    this.reader = readerOf(src);
    this.copyLent = dst instanceof TLSSocket;
  }

  start(head: Buffer | undefined): void {
    if (head && head.length > 0) {
      this.bytes += head.length;
      this.dst.write(head);
    }
    this.dst.once("finish", this.onFinish);
    // A source that ended before the relay began (a visitor's FIN while it
    // waited to be paired) ends the other side once its bytes are written.
    if (this.src.readableEnded) {
      this.dst.end();
      return;
    }
    this.src.once("end", this.onEnd);
    this.reader.start(this.onChunk, { pooled: true });
  }

  stop(): void {
    this.reader.stop();
    this.src.off("end", this.onEnd);
    this.dst.off("finish", this.onFinish);
  }

  get buffered(): number {
    return this.reader.buffered + this.dst.writableLength;
  }

  private readonly onChunk = (chunk: Buffer, lent: boolean, block?: Buffer): boolean => {
    this.bytes += chunk.length;
    this.touch?.();
    const held = lent && !this.copyLent;
    if (this.copyLent && lent) {
      block = copyBlocks.acquire(chunk.length);
      chunk = block ? copyInto(block, chunk) : copyOf(chunk);
    }
    this.dst.write(chunk, block ? this.givingBack(block) : this.onWritten);
    // A lent chunk must stay untouched until written; an owned one may queue
    // up to the limit, so the writer always has the next chunk at hand.
    const full = held ? this.dst.writableLength > 0 : this.dst.writableLength >= QUEUE_LIMIT;
    if (!full) return true;
    this.paused = true;
    return false;
  };

  /** The callback of a write from a pooled block: the block goes back with that write, and only it. */
  private givingBack(block: Buffer): (err?: Error | null) => void {
    return (err) => {
      // A write that failed on its way may leave its bytes with the writer;
      // one destroyed while still queued never reached it.
      copyBlocks.release(block, !err || (err as { code?: string }).code === "ERR_STREAM_DESTROYED");
      this.onWritten(err);
    };
  }

  private readonly onWritten = (err?: Error | null): void => {
    if (err || !this.paused || this.dst.destroyed) return;
    // Resume once half the queue is written (all of it for a lent chunk).
    if (this.dst.writableLength > (this.copyLent ? QUEUE_LIMIT / 2 : 0)) return;
    this.paused = false;
    this.reader.resume();
  };

  /** EOF from src ends only dst's write side: the other direction goes on. */
  private readonly onEnd = (): void => {
    this.dst.end();
  };

  private readonly onFinish = (): void => {
    this.finished = true;
    this.onFinished();
  };
}

/** `chunk` copied to the start of `block`, as a view of its length. */
function copyInto(block: Buffer, chunk: Buffer): Buffer {
  block.set(chunk);
  return block.subarray(0, chunk.length);
}

/** Relays `a` and `b` both ways. See Relay. */
export function relay(a: Duplex, b: Duplex, options?: RelayOptions): Relay {
  return new Relay(a, b, options);
}
