import type { RateHistory, TunnelRates } from "./document.js";
import { Ring } from "./ring.js";

export interface RateSamplerOptions {
  /** Intervals the live rate averages over (default 3). */
  window?: number;
  /** Intervals of history kept per tunnel (default 300: 5 minutes at 1 s). */
  historyLength?: number;
  /** The nominal interval between samples, reported with the history (default 1). */
  intervalSeconds?: number;
}

interface TunnelSamples {
  /** Provider totals last seen, to tell a restart (totals that went down) from growth. */
  lastIn: number;
  lastOut: number;
  /** Monotonic totals and sample times, `window + 1` deep, for the live rate. */
  readonly totalIn: Ring;
  readonly totalOut: Ring;
  readonly times: Ring;
  /** Bytes per second in each interval. */
  readonly historyIn: Ring;
  readonly historyOut: Ring;
}

/**
 * Turns successive byte totals into rates: a live rate per tunnel over the
 * last few intervals and a bounded history of per-interval rates. Fed once
 * per interval by the status server; nothing here runs per relayed byte.
 */
export class RateSampler {
  private readonly window: number;
  private readonly historyLength: number;
  private readonly tunnels = new Map<string, TunnelSamples>();
  private readonly intervalSeconds: number;

  constructor(options: RateSamplerOptions = {}) {
    this.window = options.window ?? 3;
    this.historyLength = options.historyLength ?? 300;
    this.intervalSeconds = options.intervalSeconds ?? 1;
  }

  /** Records one snapshot's totals taken at `atMs` (a monotonic clock); forgets tunnels gone. */
  sample(
    tunnels: ReadonlyArray<{ name: string; bytes: { in: number; out: number } }>,
    atMs: number,
  ) {
    const seen = new Set<string>();
    for (const { name, bytes } of tunnels) {
      seen.add(name);
      const samples = this.tunnels.get(name);
      if (samples) this.advance(samples, bytes, atMs);
      else this.tunnels.set(name, this.first(bytes, atMs));
    }
    for (const name of this.tunnels.keys()) if (!seen.has(name)) this.tunnels.delete(name);
  }

  rates(name: string): TunnelRates {
    const samples = this.tunnels.get(name);
    if (!samples || samples.times.length < 2) return { inBps: 0, outBps: 0 };
    const back = samples.times.length - 1;
    const seconds = (samples.times.at(0) - samples.times.at(back)) / 1000;
    if (seconds <= 0) return { inBps: 0, outBps: 0 };
    return {
      inBps: Math.round((samples.totalIn.at(0) - samples.totalIn.at(back)) / seconds),
      outBps: Math.round((samples.totalOut.at(0) - samples.totalOut.at(back)) / seconds),
    };
  }

  history(name: string): RateHistory {
    const samples = this.tunnels.get(name);
    return {
      intervalSeconds: this.intervalSeconds,
      capacity: this.historyLength,
      in: samples?.historyIn.toArray() ?? [],
      out: samples?.historyOut.toArray() ?? [],
    };
  }

  private first(bytes: { in: number; out: number }, atMs: number): TunnelSamples {
    const depth = this.window + 1;
    const samples: TunnelSamples = {
      lastIn: bytes.in,
      lastOut: bytes.out,
      totalIn: new Ring(depth),
      totalOut: new Ring(depth),
      times: new Ring(depth),
      historyIn: new Ring(this.historyLength),
      historyOut: new Ring(this.historyLength),
    };
    samples.totalIn.push(0);
    samples.totalOut.push(0);
    samples.times.push(atMs);
    return samples;
  }

  private advance(samples: TunnelSamples, bytes: { in: number; out: number }, atMs: number): void {
    const seconds = (atMs - samples.times.at(0)) / 1000;
    if (seconds <= 0) return;
    // Totals that went down mean the tunnel restarted from zero: all of it is new.
    const grewIn = bytes.in >= samples.lastIn ? bytes.in - samples.lastIn : bytes.in;
    const grewOut = bytes.out >= samples.lastOut ? bytes.out - samples.lastOut : bytes.out;
    samples.lastIn = bytes.in;
    samples.lastOut = bytes.out;
    samples.totalIn.push(samples.totalIn.at(0) + grewIn);
    samples.totalOut.push(samples.totalOut.at(0) + grewOut);
    samples.times.push(atMs);
    samples.historyIn.push(Math.round(grewIn / seconds));
    samples.historyOut.push(Math.round(grewOut / seconds));
  }
}
