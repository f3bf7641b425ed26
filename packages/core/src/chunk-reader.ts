import type { Duplex } from "node:stream";
import { copyOf } from "./bytes.js";
import { copyBlocks } from "./copy-blocks.js";
import {
  LARGE_RELEASE_BELOW,
  largeReadBuffers,
  SHARED_READ_SIZE,
  sharedReadBuffer,
} from "./read-buffers.js";

/**
 * Receives what a socket read. `lent` chunks live in a buffer the next read
 * reuses: a sink that keeps one (a pending write) must return false, which
 * pauses the socket and keeps the chunk valid until `resume()`. Chunks that
 * are not lent belong to the sink. Returning false always pauses.
 *
 * A sink started with `{ pooled: true }` (a relay) may get an owned chunk
 * with the pooled `block` it lives in, and gives the block back with
 * `copyBlocks.release` once done with the chunk (its write is done).
 */
export type ChunkSink = (chunk: Buffer, lent: boolean, block?: Buffer) => boolean;

/** One way to take bytes from a socket, the same for both read paths. */
export interface ChunkReader {
  /** True when reads land in fwd's own buffers (Node's `onread`). */
  readonly zeroCopy: boolean;
  /** Starts or restarts delivery to `sink`; `pooled`: it gives blocks back (see ChunkSink). */
  start(sink: ChunkSink, options?: { pooled?: boolean }): void;
  pause(): void;
  resume(): void;
  /** Pauses and forgets the sink; anything read later waits for the next start(). */
  stop(): void;
  /** Bytes read from the socket that no sink has taken yet. */
  readonly buffered: number;
}

const readers = new WeakMap<Duplex, ChunkReader>();

/** The reader for a socket: its zero-copy port if it has one, else a stream reader. */
export function readerOf(socket: Duplex): ChunkReader {
  let reader = readers.get(socket);
  if (!reader) {
    reader = new StreamReader(socket);
    readers.set(socket, reader);
  }
  return reader;
}

/**
 * The `onread` port of a zero-copy socket. Create it before the socket (Node
 * asks it for a buffer while constructing), then bind it with `attach()`.
 */
export class ZeroCopyReader implements ChunkReader {
  readonly zeroCopy = true;
  private socket: Duplex | undefined;
  private sink: ChunkSink | undefined;
  /** The sink gives pooled blocks back: copies for it may come from copyBlocks. */
  private pooled = false;
  private large: Buffer | undefined;
  /** True while a sink holds a chunk of `large` (it returned false). */
  private lent = false;
  /** Copies read while no sink was attached, delivered on the next start(). */
  private held: Buffer[] = [];
  private reads = 0;
  private readsAtLastSweep = -1;
  private idleReleases = 0;

  /** Where the next read lands: what Node last got from `buffer()`, or the idle sweep set. */
  private target: Buffer | undefined;

  readonly onread = {
    buffer: (): Buffer => {
      this.target = this.large ?? sharedReadBuffer();
      return this.target;
    },
    // Node passes the buffer it remembers; after an idle release the handle
    // reads elsewhere, so the reader trusts its own record instead.
    callback: (length: number): boolean => this.deliver(length, this.target ?? sharedReadBuffer()),
  };

  attach(socket: Duplex): void {
    this.socket = socket;
    readers.set(socket, this);
    socket.once("close", () => this.dropLarge());
  }

  start(sink: ChunkSink, options?: { pooled?: boolean }): void {
    this.sink = sink;
    this.pooled = options?.pooled === true;
    while (this.held.length > 0) {
      const chunk = this.held.shift()!;
      if (!sink(chunk, false)) {
        this.pause();
        return;
      }
    }
    this.resume();
  }

  pause(): void {
    this.socket?.pause();
  }

  resume(): void {
    this.lent = false;
    this.socket?.resume();
  }

  stop(): void {
    this.sink = undefined;
    this.pause();
  }

  get buffered(): number {
    return this.held.reduce((sum, chunk) => sum + chunk.length, 0);
  }

  private deliver(length: number, buffer: Buffer): boolean {
    this.reads++;
    if (buffer !== this.large) {
      // The shared buffer serves every socket: copy out before the next read,
      // into a pooled block when it is large and the sink gives blocks back
      // (a fresh one would be faulted in page by page: see copy-blocks.ts).
      const block = this.sink && this.pooled ? copyBlocks.acquire(length) : undefined;
      const chunk = block ? block.subarray(0, length) : Buffer.allocUnsafe(length);
      buffer.copy(chunk, 0, 0, length);
      if (length === SHARED_READ_SIZE) {
        this.large = largeReadBuffers.acquire();
        if (this.large) idleSweep.watch(this);
      }
      if (!this.sink) {
        this.held.push(chunk);
        return false;
      }
      const sink = this.sink;
      return sink(chunk, false, block) || this.handedOver(sink);
    }
    const chunk = buffer.subarray(0, length);
    if (!this.sink) {
      this.held.push(copyOf(chunk));
      return false;
    }
    const sink = this.sink;
    const more = sink(chunk, true);
    if (this.handedOver(sink)) return true; // the old owner copied what it kept
    if (!more) this.lent = true;
    else if (length < LARGE_RELEASE_BELOW) this.dropLarge();
    return more;
  }

  /** A sink may hand the socket to a new owner (stop, then start) while it runs: the new one reads on. */
  private handedOver(sink: ChunkSink): boolean {
    return this.sink !== undefined && this.sink !== sink;
  }

  private dropLarge(): void {
    if (!this.large) return;
    // A lent buffer may still be read by a pending write: never reuse it.
    largeReadBuffers.release(this.large, !this.lent);
    this.large = undefined;
    idleSweep.forget(this);
  }

  /**
   * Called by the idle sweep: a socket that has read nothing since the last
   * sweep gives its large buffer back. Node fixes the buffer of the next read
   * when a read ends, so this points the handle back at the shared buffer
   * (the private useUserBuffer, the call `onread` itself rests on); each call
   * adds a small native listener, hence the cap per socket.
   * Returns false when the reader should stay watched.
   */
  releaseIfIdle(): boolean {
    if (!this.large) return true;
    if (this.lent || this.reads !== this.readsAtLastSweep) {
      this.readsAtLastSweep = this.reads;
      return false;
    }
    const handle = (this.socket as { _handle?: { useUserBuffer?: unknown } } | undefined)?._handle;
    if (this.idleReleases >= MAX_IDLE_RELEASES || typeof handle?.useUserBuffer !== "function")
      return true;
    this.target = sharedReadBuffer();
    (handle.useUserBuffer as (buffer: Buffer) => void).call(handle, this.target);
    this.idleReleases++;
    this.dropLarge();
    return true;
  }
}

/** Idle releases per socket: each leaves a small native listener behind until the socket closes. */
const MAX_IDLE_RELEASES = 64;

/**
 * One process-wide timer that finds sockets holding a large read buffer
 * while idle, so a connection that has gone quiet after a bulk transfer
 * holds no read buffer at all.
 */
const idleSweep = {
  readers: new Set<ZeroCopyReader>(),
  timer: undefined as NodeJS.Timeout | undefined,
  watch(reader: ZeroCopyReader): void {
    this.readers.add(reader);
    if (this.timer) return;
    this.timer = setInterval(() => this.sweep(), IDLE_SWEEP_MS);
    this.timer.unref();
  },
  forget(reader: ZeroCopyReader): void {
    this.readers.delete(reader);
  },
  sweep(): void {
    for (const reader of this.readers) {
      if (reader.releaseIfIdle()) this.readers.delete(reader);
    }
    if (this.readers.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  },
};

/** How often the idle sweep runs: a burst must pause at least this long to count as over. */
const IDLE_SWEEP_MS = 500;

/** The portable path: Node's own 'data' events, flow control by pause/resume. */
class StreamReader implements ChunkReader {
  readonly zeroCopy = false;
  private sink: ChunkSink | undefined;

  constructor(private readonly socket: Duplex) {}

  private readonly onData = (chunk: Buffer): void => {
    const sink = this.sink;
    // A sink may hand the socket over (stop, then a new start) while it runs:
    // its "no more" is then not the new owner's.
    if (sink && !sink(chunk, false) && (this.sink === sink || this.sink === undefined)) {
      this.socket.pause();
    }
  };

  start(sink: ChunkSink): void {
    this.sink = sink;
    this.socket.off("data", this.onData);
    this.socket.on("data", this.onData);
    this.socket.resume();
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  stop(): void {
    this.sink = undefined;
    this.socket.off("data", this.onData);
    this.socket.pause();
  }

  get buffered(): number {
    return this.socket.readableLength;
  }
}
