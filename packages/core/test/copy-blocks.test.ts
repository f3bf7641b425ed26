import { describe, expect, it } from "vitest";
import { CopyBlocks } from "../src/copy-blocks.js";

describe("CopyBlocks", () => {
  it("hands out the smallest block that holds a chunk, none below 16 KiB or past the largest", () => {
    const blocks = new CopyBlocks();
    expect(blocks.acquire(16 * 1024 - 1)).toBeUndefined();
    expect(blocks.acquire(16 * 1024)?.length).toBe(64 * 1024);
    expect(blocks.acquire(64 * 1024)?.length).toBe(64 * 1024);
    expect(blocks.acquire(64 * 1024 + 1)?.length).toBe(256 * 1024);
    expect(blocks.acquire(1024 * 1024)?.length).toBe(1024 * 1024);
    expect(blocks.acquire(1024 * 1024 + 1)).toBeUndefined();
    expect(blocks.stats.inUse).toBe(4);
  });

  it("hands a released block out again instead of a new one", () => {
    const blocks = new CopyBlocks();
    const first = blocks.acquire(20_000)!;
    blocks.release(first);
    expect(blocks.stats).toEqual({ inUse: 0, free: [1, 0, 0] });
    expect(blocks.acquire(30_000)).toBe(first);
  });

  it("never reuses a block released as not reusable", () => {
    const blocks = new CopyBlocks();
    const held = blocks.acquire(20_000)!;
    blocks.release(held, false);
    expect(blocks.stats).toEqual({ inUse: 0, free: [0, 0, 0] });
    expect(blocks.acquire(20_000)).not.toBe(held);
  });

  it("keeps at most 2 MiB of free blocks per size", () => {
    const blocks = new CopyBlocks();
    const large = Array.from({ length: 5 }, () => blocks.acquire(1024 * 1024)!);
    const small = Array.from({ length: 40 }, () => blocks.acquire(16 * 1024)!);
    for (const block of [...large, ...small]) blocks.release(block);
    expect(blocks.stats).toEqual({ inUse: 0, free: [32, 0, 2] });
  });
});
