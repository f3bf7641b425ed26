/**
 * Memory for socket reads on the zero-copy path.
 *
 * Every socket first reads into one buffer shared by the whole process and
 * the bytes are copied out, so an idle connection holds no read buffer at all.
 * A socket whose read fills the shared buffer is moving bulk data: it borrows
 * a large buffer from a process-wide free list and keeps it while reads keep
 * filling it, so bulk transfers move in few, big, uncopied reads and writes.
 */

/** Size of the process-wide buffer every read starts in. */
export const SHARED_READ_SIZE = 64 * 1024;
/** Size of the buffers a bulk-reading socket borrows. */
export const LARGE_READ_SIZE = 1024 * 1024;
/** A read under this size into a large buffer hands it back: the burst is over. */
export const LARGE_RELEASE_BELOW = LARGE_READ_SIZE / 4;

let shared: Buffer | undefined;

export function sharedReadBuffer(): Buffer {
  shared ??= Buffer.allocUnsafeSlow(SHARED_READ_SIZE);
  return shared;
}

/**
 * Large read buffers with a cap on how many exist at once, so many bulk
 * connections cannot grow the process without bound: past the cap, sockets
 * stay on the shared buffer (slower, never unbounded). Released buffers are
 * kept for reuse rather than left to the garbage collector: allocating and
 * dropping megabyte buffers per burst fragments the heap and inflates the
 * resident size long after the bursts are over.
 */
export class LargeBufferPool {
  private readonly free: Buffer[] = [];
  private inUse = 0;

  constructor(
    readonly size: number,
    readonly maxInUse: number,
  ) {}

  acquire(): Buffer | undefined {
    if (this.inUse >= this.maxInUse) return undefined;
    this.inUse++;
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  /** Gives a buffer back. `reusable: false` when a pending write may still read it. */
  release(buffer: Buffer, reusable = true): void {
    this.inUse--;
    if (reusable) this.free.push(buffer);
  }

  get stats(): { inUse: number; free: number } {
    return { inUse: this.inUse, free: this.free.length };
  }
}

/**
 * 8 buffers: enough for every bulk stream a forwarder on a desktop or small
 * server carries at once, at most 8 MiB however many connections there are.
 */
export const largeReadBuffers = new LargeBufferPool(LARGE_READ_SIZE, 8);
