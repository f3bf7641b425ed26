/**
 * Request/response latency, one message at a time over one connection to the
 * echo service: write `size` bytes, wait until all of them came back, repeat.
 * 64 B shows the per-hop cost; 64 KiB spans many segments and exposes
 * Nagle/delayed-ACK stalls (~40 ms) in any hop that leaves Nagle on.
 *
 * With `settle`, the first `count` round trips (a forwarder just started)
 * are kept apart as the cold figures, `settle` more go unmeasured, and the
 * next `count` are the steady figures: a freshly started Node process grows
 * its native heap during its first few thousand socket operations, and each
 * first touch of a page is a page fault (see bench/README.md, "Tail latency").
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { close, open, percentile, receive } from "./socket.ts";

export interface RoundTripArgs {
  port: number;
  size: number;
  count: number;
  /** Unmeasured round trips between the cold and the steady figures (0: one set only). */
  settle?: number;
  /** Stop early after this long, whatever the count. */
  timeMs: number;
}

export interface RoundTripResult {
  count: number;
  medianUs: number;
  p99Us: number;
  maxUs: number;
  /** Round trips that took 20 ms or more: a Nagle/delayed-ACK stall looks like this. */
  stalls: number;
  /** With `settle`: the p99 of the first `count` round trips (the forwarder still cold). */
  coldP99Us?: number;
}

const STALL_US = 20_000;
/** Unmeasured round trips first, so connection setup and JIT warm-up do not count. */
const WARMUP = 20;

export async function roundTrips({
  port,
  size,
  count,
  settle = 0,
  timeMs,
}: RoundTripArgs): Promise<RoundTripResult> {
  const message = randomBytes(size);
  const socket = await open(port);
  const cold: number[] = [];
  const steady: number[] = [];
  const total = WARMUP + (settle > 0 ? 2 * count + settle : count);
  try {
    const deadline = performance.now() + timeMs;
    for (let i = 0; i < total && performance.now() < deadline; i++) {
      const started = performance.now();
      const back = receive(socket, size);
      socket.write(message);
      await back;
      const us = (performance.now() - started) * 1000;
      if (i < WARMUP) continue;
      if (settle === 0) steady.push(us);
      else if (i < WARMUP + count) cold.push(us);
      else if (i >= WARMUP + count + settle) steady.push(us);
    }
  } finally {
    await close(socket);
  }
  if (steady.length === 0) throw new Error("no round trip completed in time");
  steady.sort((a, b) => a - b);
  cold.sort((a, b) => a - b);
  return {
    count: steady.length,
    medianUs: percentile(steady, 50),
    p99Us: percentile(steady, 99),
    maxUs: steady[steady.length - 1]!,
    stalls: steady.filter((us) => us >= STALL_US).length,
    ...(cold.length > 0 ? { coldP99Us: percentile(cold, 99) } : {}),
  };
}
