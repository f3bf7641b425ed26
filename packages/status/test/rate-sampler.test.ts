import { describe, expect, it } from "vitest";
import { RateSampler } from "../src/rate-sampler.js";
import { Ring } from "../src/ring.js";

const at = (name: string, bytesIn: number, bytesOut = 0) => [
  { name, bytes: { in: bytesIn, out: bytesOut } },
];

describe("Ring", () => {
  it("keeps the last values, oldest first", () => {
    const ring = new Ring(3);
    expect(ring.toArray()).toEqual([]);
    for (const value of [1, 2, 3, 4, 5]) ring.push(value);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect(ring.at(0)).toBe(5);
    expect(() => ring.at(3)).toThrow(RangeError);
  });
});

describe("RateSampler", () => {
  it("has no rate before a second sample", () => {
    const sampler = new RateSampler();
    sampler.sample(at("a", 5000), 0);
    expect(sampler.rates("a")).toEqual({ inBps: 0, outBps: 0 });
    expect(sampler.history("a")).toEqual({ intervalSeconds: 1, capacity: 300, in: [], out: [] });
    expect(sampler.rates("unknown")).toEqual({ inBps: 0, outBps: 0 });
  });

  it("averages the rate over the last `window` intervals", () => {
    const sampler = new RateSampler({ window: 3 });
    const totals = [0, 1000, 3000, 6000, 10000, 10000];
    for (const [second, total] of totals.entries()) {
      sampler.sample(at("a", total, total / 10), second * 1000);
    }
    // The last three intervals, from 3000 at 2 s to 10000 at 5 s: 7000 bytes in 3 s.
    expect(sampler.rates("a")).toEqual({ inBps: 2333, outBps: 233 });
    expect(sampler.history("a").in).toEqual([1000, 2000, 3000, 4000, 0]);
  });

  it("measures against the real time between samples", () => {
    const sampler = new RateSampler({ window: 1 });
    sampler.sample(at("a", 0), 0);
    sampler.sample(at("a", 3000), 1500); // a late tick: 1.5 s
    expect(sampler.rates("a").inBps).toBe(2000);
    expect(sampler.history("a").in).toEqual([2000]);
  });

  it("keeps at most historyLength points", () => {
    const sampler = new RateSampler({ historyLength: 4 });
    for (let second = 0; second <= 10; second++)
      sampler.sample(at("a", second * 100), second * 1000);
    expect(sampler.history("a").in).toEqual([100, 100, 100, 100]);
  });

  it("treats totals that go down as a restart from zero", () => {
    const sampler = new RateSampler({ window: 1 });
    sampler.sample(at("a", 50_000), 0);
    sampler.sample(at("a", 700), 1000);
    expect(sampler.rates("a").inBps).toBe(700);
    expect(sampler.history("a").in).toEqual([700]);
  });

  it("forgets tunnels that are gone", () => {
    const sampler = new RateSampler();
    sampler.sample(at("a", 0), 0);
    sampler.sample(at("a", 1000), 1000);
    sampler.sample(at("b", 0), 2000);
    expect(sampler.history("a").in).toEqual([]);
    sampler.sample([...at("a", 0), ...at("b", 0)], 3000);
    expect(sampler.history("a").in).toEqual([]); // starts over: no point yet
  });
});
