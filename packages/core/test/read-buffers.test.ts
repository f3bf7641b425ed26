import { describe, expect, it } from "vitest";
import { LargeBufferPool } from "../src/read-buffers.js";

describe("LargeBufferPool", () => {
  it("hands out at most maxInUse buffers and reuses what comes back", () => {
    const pool = new LargeBufferPool(1024, 2);
    const a = pool.acquire();
    const b = pool.acquire();
    expect(a).toHaveLength(1024);
    expect(pool.acquire()).toBeUndefined();
    pool.release(a!);
    expect(pool.acquire()).toBe(a);
    expect(pool.stats).toEqual({ inUse: 2, free: 0 });
    pool.release(b!);
  });

  it("never reuses a buffer a pending write may still read", () => {
    const pool = new LargeBufferPool(1024, 2);
    const lent = pool.acquire()!;
    pool.release(lent, false);
    expect(pool.stats).toEqual({ inUse: 0, free: 0 });
    expect(pool.acquire()).not.toBe(lent);
  });
});
