/**
 * The throughput figures of one repetition: 1 and 4 streams with iperf3 (or
 * the bench's own sender without it), and around the single stream the CPU
 * time the forwarding processes spent, per GB moved.
 */
import type { Config, Running } from "../configs/types.ts";
import type { MetricKey } from "../report/metrics.ts";
import { type ConfigResults, record } from "../results.ts";
import { iperf } from "./iperf3.ts";
import { treeCpuSeconds } from "./proc-cpu.ts";
import { procAvailable } from "./proc-memory.ts";
import type { RepContext } from "./rep.ts";

/** Runs one measurement; a failure becomes an error (or n/a where that is expected). */
export type Attempt = (
  keys: MetricKey[],
  run: () => Promise<void>,
  naReason?: string,
) => Promise<void>;

/** Times `transfer` and records the forwarders' CPU seconds per GB it moved (Linux only). */
async function withCpu<T extends { bytes: number }>(
  running: Running,
  rep: number,
  results: ConfigResults,
  transfer: () => Promise<T>,
): Promise<T> {
  const pids = running.pids();
  if (!procAvailable || pids.length === 0) return transfer();
  const before = treeCpuSeconds(pids);
  const result = await transfer();
  const seconds = treeCpuSeconds(pids) - before;
  if (result.bytes > 0) record(results, "cpuPerGb", rep, seconds / (result.bytes / 1e9));
  return result;
}

export async function measureThroughput(
  config: Config,
  running: Running,
  rep: number,
  results: ConfigResults,
  { plan, iperfServer, load }: RepContext,
  ports: { sink: number; iperf: number | undefined },
  attempt: Attempt,
): Promise<void> {
  if (running.pids().length === 0) results.na.cpuPerGb = "no forwarder";
  else if (!procAvailable) results.na.cpuPerGb = "needs Linux /proc";
  for (const [key, streams] of [
    ["tput1", 1],
    ["tput4", 4],
  ] as const) {
    // Readiness probes (socat, haproxy, the multi pair's public port) reach the
    // iperf3 server through the forwarder as half-born control connections, and
    // a relay that passes a close on late (ssh -R) leaves it "busy" with the
    // previous test: a fresh server before each test starts clean.
    if (iperfServer && ports.iperf !== undefined) await iperfServer.restart();
    // The CPU figure comes from the single stream only: one transfer, one path.
    const timed = <T extends { bytes: number }>(transfer: () => Promise<T>) =>
      key === "tput1" ? withCpu(running, rep, results, transfer) : transfer();
    if (iperfServer && ports.iperf !== undefined) {
      const iperfPort = ports.iperf;
      await attempt(
        [key],
        async () => {
          const tries = config.oneAtATime ? 1 : 2;
          for (let tried = 1; ; tried++) {
            try {
              const length = streams === 1 ? plan.iperf.oneStream : plan.iperf.fourStreams;
              // A relay that serves one connection at a time hangs iperf3: give up sooner.
              const grace = config.oneAtATime ? 1500 : plan.iperfGraceMs;
              const result = await timed(() => iperf(iperfPort, streams, length, grace));
              record(results, key, rep, result.mbPerSecond);
              return;
            } catch (err) {
              await iperfServer.restart(); // a failed test can leave the server waiting on it
              if (tried >= tries) throw err;
              results.notes.push(
                `rep ${rep + 1}, ${key}: iperf3 retried once (${(err as Error).message})`,
              );
            }
          }
        },
        config.oneAtATime ? "one connection at a time: iperf3 needs two" : undefined,
      );
      // What failed with one stream fails with four: do not wait for the timeout twice.
      if (key === "tput1" && results.na.tput1) {
        results.na.tput4 = results.na.tput1;
        results.na.cpuPerGb ??= results.na.tput1;
      }
    } else {
      // No iperf3 here: the bench's own sender measures the same figure.
      await attempt([key], async () => {
        const args = { port: ports.sink, bytes: plan.streamBytes, streams };
        const result = await timed(() => load.call("stream", args, 60_000));
        record(results, key, rep, result.mbPerSecond);
      });
    }
  }
}
