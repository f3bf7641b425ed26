/**
 * How much of everything a run does: the full run (the figures in the README)
 * or --quick (a smoke run for CI that only proves every path still works).
 * Every loop in the bench is bounded by a count and a time from here.
 */
export interface Plan {
  name: "full" | "quick";
  /** Repetitions of the throughput, latency and connection figures, in rotating order. */
  reps: number;
  /** Repetitions of the two memory figures (each is a level, not a rate: less noisy). */
  memoryReps: number;
  /**
   * Each iperf3 test runs for `seconds`, or moves `bytes` (iperf3 -t takes
   * whole seconds only); the single stream, the headline figure, runs longer.
   */
  iperf: { oneStream: IperfLength; fourStreams: IperfLength };
  /** An iperf3 run is killed this long after it should have ended. */
  iperfGraceMs: number;
  /** Bytes for the bench's own single-stream sender. */
  streamBytes: number;
  /** `settle`: round trips between the cold and the steady figures (see load/round-trips.ts). */
  rtt64: { count: number; settle: number; timeMs: number };
  rtt64k: { count: number; timeMs: number };
  connRate: { total: number; inflight: number; timeMs: number };
  firstByte: { count: number; timeMs: number };
  /**
   * Idle connections held at once, and what each carries first: half of it
   * sent, half echoed back (1 MiB in all in the full run).
   */
  idle: { connections: number; bytesEachWay: number; timeMs: number };
  /** Pause before a memory reading, for the forwarder to finish with the traffic before. */
  settleMs: number;
  stalled: { maxBytes: number; blockedMs: number; capMs: number };
}

export type IperfLength = { seconds: number } | { bytes: string };

const MiB = 1024 * 1024;

export const fullPlan: Plan = {
  name: "full",
  reps: 5,
  memoryReps: 1,
  iperf: { oneStream: { seconds: 2 }, fourStreams: { seconds: 1 } },
  iperfGraceMs: 4000,
  streamBytes: 512 * MiB,
  rtt64: { count: 2000, settle: 4000, timeMs: 6000 },
  rtt64k: { count: 500, timeMs: 2000 },
  connRate: { total: 20_000, inflight: 50, timeMs: 1000 },
  firstByte: { count: 200, timeMs: 3000 },
  idle: { connections: 9000, bytesEachWay: MiB / 2, timeMs: 120_000 },
  settleMs: 500,
  stalled: { maxBytes: 2e9, blockedMs: 2000, capMs: 20_000 },
};

export const quickPlan: Plan = {
  name: "quick",
  reps: 1,
  memoryReps: 1,
  iperf: { oneStream: { bytes: "128M" }, fourStreams: { bytes: "64M" } },
  iperfGraceMs: 2000,
  streamBytes: 32 * MiB,
  rtt64: { count: 200, settle: 200, timeMs: 1000 },
  rtt64k: { count: 50, timeMs: 1000 },
  connRate: { total: 300, inflight: 50, timeMs: 500 },
  firstByte: { count: 30, timeMs: 1000 },
  idle: { connections: 200, bytesEachWay: 32 * 1024, timeMs: 10_000 },
  settleMs: 100,
  stalled: { maxBytes: 256 * MiB, blockedMs: 300, capMs: 2000 },
};
