/**
 * Buffers for the copies of relayed bytes: what a zero-copy reader copies
 * out of the shared read buffer, and what a relay copies of lent chunks for
 * a TLS writer. The relay gives each back once its write is done (other
 * readers get buffers of their own). A fresh buffer per chunk costs
 * more than the copy itself: glibc serves large allocations with mmap, or
 * from the top of its heap, and gives both back to the kernel on free, so
 * every chunk is faulted in again page by page (80,000 faults a second at
 * 480 MB/s through a TLS link, a third of the relaying process's time; and
 * the tail of 64 KiB round trips: see bench/README.md, "The TLS path" and
 * "Tail latency").
 */

/**
 * Block sizes, one free list each: a chunk takes the smallest that holds
 * it, so a block is at most twice its chunk (the relay's queue limit counts
 * chunk bytes).
 */
const SIZES = [16, 32, 64, 128, 256, 512, 1024].map((kib) => kib * 1024);
/**
 * Smaller chunks get a buffer of their own: a small copy is cheap, and a
 * pooled block per 100-byte chunk queued behind a stalled writer is not.
 */
const MIN_LENGTH = 16 * 1024;
/** Free blocks kept per size: 1 MiB of them, and at least two (a bulk writer has a couple in flight). */
const KEEP_BYTES = 1024 * 1024;
const KEEP_AT_LEAST = 2;
/** Free blocks are dropped once none was taken for this long: an idle process keeps none. */
const IDLE_DROP_MS = 2000;

export class CopyBlocks {
  private readonly free: Buffer[][] = SIZES.map(() => []);
  private out = 0;
  private takenSinceSweep = false;
  private sweep: NodeJS.Timeout | undefined;

  /** A block of at least `length` bytes, or undefined below 16 KiB or past the largest size. */
  acquire(length: number): Buffer | undefined {
    if (length < MIN_LENGTH) return undefined;
    const index = SIZES.findIndex((size) => size >= length);
    if (index < 0) return undefined;
    this.out++;
    this.takenSinceSweep = true;
    return this.free[index]!.pop() ?? Buffer.allocUnsafeSlow(SIZES[index]!);
  }

  /** Gives a block back. `reusable: false` when a failed write may still hold it. */
  release(block: Buffer, reusable = true): void {
    this.out--;
    const list = this.free[SIZES.indexOf(block.length)];
    if (!reusable || !list) return;
    if (list.length >= KEEP_AT_LEAST && (list.length + 1) * block.length > KEEP_BYTES) return;
    list.push(block);
    this.sweep ??= setInterval(this.dropIfIdle, IDLE_DROP_MS).unref();
  }

  get stats(): { inUse: number; free: number[] } {
    return { inUse: this.out, free: this.free.map((list) => list.length) };
  }

  private readonly dropIfIdle = (): void => {
    if (this.takenSinceSweep) {
      this.takenSinceSweep = false;
      return;
    }
    for (const list of this.free) list.length = 0;
    clearInterval(this.sweep);
    this.sweep = undefined;
  };
}

/** The process-wide blocks every relay shares. */
export const copyBlocks = new CopyBlocks();
