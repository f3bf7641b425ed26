/** The figures the bench reports: names, units, and which way is better. */

export type MetricKey =
  | "tput1"
  | "tput4"
  | "stream1"
  | "cpuPerGb"
  | "rtt64"
  | "rtt64p99"
  | "rtt64p99cold"
  | "rtt64k"
  | "rtt64kp99"
  | "rtt64kStalls"
  | "connRate"
  | "ttfb"
  | "idleKb"
  | "stalledMb";

export interface Metric {
  key: MetricKey;
  title: string;
  unit: string;
  better: "higher" | "lower";
  /**
   * Measured in the rotating phase with a direct figure in each repetition
   * to divide by (false for the memory and CPU figures: direct has no forwarder).
   */
  perRep: boolean;
  /** A time: also reported as added to direct, and per hop. */
  latency?: boolean;
  /** Shown in the chart of ratios to direct. */
  chart?: string;
  digits: number;
}

export const metrics: readonly Metric[] = [
  {
    key: "tput1",
    title: "Throughput, 1 stream (iperf3)",
    unit: "MB/s",
    better: "higher",
    perRep: true,
    chart: "1 STREAM",
    digits: 0,
  },
  {
    key: "tput4",
    title: "Throughput, 4 streams (iperf3 -P 4)",
    unit: "MB/s",
    better: "higher",
    perRep: true,
    chart: "4 STREAMS",
    digits: 0,
  },
  {
    key: "stream1",
    title: "Throughput, 1 stream (bench sender, no FIN; passes the legacy relay)",
    unit: "MB/s",
    better: "higher",
    perRep: true,
    chart: "1 STREAM (BENCH)",
    digits: 0,
  },
  {
    key: "cpuPerGb",
    title:
      "Forwarder CPU per GB moved (during the 1-stream figure; user + system time of every forwarding process and its children)",
    unit: "s/GB",
    better: "lower",
    perRep: false,
    digits: 2,
  },
  {
    key: "rtt64",
    title: "Round trip 64 B, median",
    unit: "µs",
    better: "lower",
    perRep: true,
    latency: true,
    chart: "RTT 64 B",
    digits: 1,
  },
  {
    key: "rtt64p99",
    title: "Round trip 64 B, p99 once warm",
    unit: "µs",
    better: "lower",
    perRep: true,
    latency: true,
    digits: 1,
  },
  {
    key: "rtt64p99cold",
    title: "Round trip 64 B, p99 of the first ones (cold)",
    unit: "µs",
    better: "lower",
    perRep: true,
    latency: true,
    digits: 1,
  },
  {
    key: "rtt64k",
    title: "Round trip 64 KiB, median",
    unit: "µs",
    better: "lower",
    perRep: true,
    latency: true,
    chart: "RTT 64 KIB",
    digits: 0,
  },
  {
    key: "rtt64kp99",
    title: "Round trip 64 KiB, p99",
    unit: "µs",
    better: "lower",
    perRep: true,
    latency: true,
    digits: 0,
  },
  {
    key: "rtt64kStalls",
    title: "Round trips 64 KiB of 20 ms or more (stalls), per repetition",
    unit: "count",
    better: "lower",
    perRep: true,
    digits: 0,
  },
  {
    key: "connRate",
    title: "Connection rate (connect, 1 B echo, close; 50 in flight)",
    unit: "conn/s",
    better: "higher",
    perRep: true,
    chart: "CONN RATE",
    digits: 0,
  },
  {
    key: "ttfb",
    title: "Time to first byte of a new connection, median",
    unit: "µs",
    better: "lower",
    perRep: true,
    latency: true,
    chart: "FIRST BYTE",
    digits: 0,
  },
  {
    key: "idleKb",
    title: "Forwarder memory per idle relayed connection (after traffic)",
    unit: "KB",
    better: "lower",
    perRep: false,
    digits: 1,
  },
  {
    key: "stalledMb",
    title: "Forwarder RSS growth under a stopped reader (peak)",
    unit: "MB",
    better: "lower",
    perRep: false,
    digits: 1,
  },
];

export function metric(key: MetricKey): Metric {
  return metrics.find((m) => m.key === key)!;
}
