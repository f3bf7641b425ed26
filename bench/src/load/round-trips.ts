/**
 * Request/response latency, one message at a time over one connection to the
 * echo service: write `size` bytes, wait until all of them came back, repeat.
 * 64 B shows the per-hop cost; 64 KiB spans many segments and exposes
 * Nagle/delayed-ACK stalls (~40 ms) in any hop that leaves Nagle on.
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { close, open, percentile, receive } from "./socket.ts";

export interface RoundTripArgs {
  port: number;
  size: number;
  count: number;
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
}

const STALL_US = 20_000;
/** Unmeasured round trips first, so connection setup and JIT warm-up do not count. */
const WARMUP = 20;

export async function roundTrips({
  port,
  size,
  count,
  timeMs,
}: RoundTripArgs): Promise<RoundTripResult> {
  const message = randomBytes(size);
  const socket = await open(port);
  const samples: number[] = [];
  try {
    const deadline = performance.now() + timeMs;
    for (let i = 0; i < WARMUP + count && performance.now() < deadline; i++) {
      const started = performance.now();
      const back = receive(socket, size);
      socket.write(message);
      await back;
      if (i >= WARMUP) samples.push((performance.now() - started) * 1000);
    }
  } finally {
    await close(socket);
  }
  if (samples.length === 0) throw new Error("no round trip completed in time");
  samples.sort((a, b) => a - b);
  return {
    count: samples.length,
    medianUs: percentile(samples, 50),
    p99Us: percentile(samples, 99),
    maxUs: samples[samples.length - 1]!,
    stalls: samples.filter((us) => us >= STALL_US).length,
  };
}
