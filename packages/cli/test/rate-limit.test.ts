import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RepeatLimiter } from "../src/rate-limit.js";

describe("RepeatLimiter", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("writes the first lines of a kind per window and counts the rest", () => {
    const lines: string[] = [];
    const limiter = new RepeatLimiter((line) => lines.push(line), { perWindow: 2 });
    for (let i = 1; i <= 25; i++) limiter.line("ERR_FWD_CONN_REFUSED", `refused ${i}`, "refusals");
    expect(lines).toEqual(["refused 1", "refused 2"]);
    vi.advanceTimersByTime(60_000);
    expect(lines.at(-1)).toBe("… 23 more refusals in the last minute");
    limiter.line("ERR_FWD_CONN_REFUSED", "refused 26", "refusals");
    expect(lines.at(-1)).toBe("refused 26");
    vi.advanceTimersByTime(60_000);
    expect(lines).toHaveLength(4); // nothing held back: no count line
  });

  it("always shows the first line of a new kind, however busy another kind is", () => {
    const lines: string[] = [];
    const limiter = new RepeatLimiter((line) => lines.push(line), { perWindow: 1 });
    for (let i = 0; i < 100; i++) limiter.line("a", `a ${i}`);
    limiter.line("b", "b 0");
    expect(lines).toEqual(["a 0", "b 0"]);
  });

  it("writes what it holds back at flush (a stop)", () => {
    const lines: string[] = [];
    const limiter = new RepeatLimiter((line) => lines.push(line), {
      perWindow: 1,
      windowMs: 10_000,
    });
    limiter.line("a", "a 0");
    limiter.line("a", "a 1");
    limiter.line("a", "a 2");
    limiter.flush();
    expect(lines).toEqual(["a 0", "… 2 more a in the last 10 s"]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
