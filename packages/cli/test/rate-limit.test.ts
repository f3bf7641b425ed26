import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LineLimiter } from "../src/rate-limit.js";

describe("LineLimiter", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("lets a few lines through per window and counts the rest", () => {
    const lines: string[] = [];
    const limiter = new LineLimiter((line) => lines.push(line), 3, 1000);
    for (let i = 1; i <= 10; i++) limiter.line(`error ${i}`);
    expect(lines).toEqual(["error 1", "error 2", "error 3"]);
    vi.advanceTimersByTime(1000);
    expect(lines.at(-1)).toBe(
      "7 more connection errors in the last 1 s not shown (DEBUG=fwd:* shows each)",
    );
    limiter.line("error 11");
    expect(lines.at(-1)).toBe("error 11");
    vi.advanceTimersByTime(1000);
    expect(lines).toHaveLength(5);
  });
});
