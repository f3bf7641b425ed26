import { afterEach, describe, expect, it, vi } from "vitest";
import { CopyBlocks } from "../src/copy-blocks.js";

const KiB = 1024;

afterEach(() => {
  vi.useRealTimers();
});

describe("CopyBlocks", () => {
  it("hands out the smallest block that holds a chunk, at most twice its size; none below 16 KiB or past 1 MiB", () => {
    const blocks = new CopyBlocks();
    expect(blocks.acquire(16 * KiB - 1)).toBeUndefined();
    expect(blocks.acquire(16 * KiB)?.length).toBe(16 * KiB);
    expect(blocks.acquire(16 * KiB + 1)?.length).toBe(32 * KiB);
    expect(blocks.acquire(64 * KiB)?.length).toBe(64 * KiB);
    expect(blocks.acquire(64 * KiB + 1)?.length).toBe(128 * KiB);
    expect(blocks.acquire(300 * KiB)?.length).toBe(512 * KiB);
    expect(blocks.acquire(1024 * KiB)?.length).toBe(1024 * KiB);
    expect(blocks.acquire(1024 * KiB + 1)).toBeUndefined();
    expect(blocks.stats.inUse).toBe(6);
  });

  it("hands a released block out again instead of a new one", () => {
    const blocks = new CopyBlocks();
    const first = blocks.acquire(40 * KiB)!;
    blocks.release(first);
    expect(blocks.stats).toEqual({ inUse: 0, free: [0, 0, 1, 0, 0, 0, 0] });
    expect(blocks.acquire(60 * KiB)).toBe(first);
  });

  it("never reuses a block released as not reusable", () => {
    const blocks = new CopyBlocks();
    const held = blocks.acquire(20 * KiB)!;
    blocks.release(held, false);
    expect(blocks.stats.free.every((count) => count === 0)).toBe(true);
    expect(blocks.acquire(20 * KiB)).not.toBe(held);
  });

  it("keeps 1 MiB of free blocks per size, and at least two", () => {
    const blocks = new CopyBlocks();
    const large = Array.from({ length: 5 }, () => blocks.acquire(1024 * KiB)!);
    const small = Array.from({ length: 200 }, () => blocks.acquire(16 * KiB)!);
    for (const block of [...large, ...small]) blocks.release(block);
    expect(blocks.stats).toEqual({ inUse: 0, free: [64, 0, 0, 0, 0, 0, 2] });
  });

  it("drops its free blocks once none was taken for a sweep interval, and keeps them while in use", () => {
    vi.useFakeTimers();
    const blocks = new CopyBlocks();
    blocks.release(blocks.acquire(20 * KiB)!);
    vi.advanceTimersByTime(2000); // taken since the last sweep: kept
    expect(blocks.stats.free[1]).toBe(1);
    vi.advanceTimersByTime(2000); // idle for a whole interval: dropped
    expect(blocks.stats.free[1]).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
