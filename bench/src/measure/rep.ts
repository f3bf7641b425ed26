/**
 * One repetition of one configuration: start it in front of the services,
 * take every rotating-phase figure through it, stop it. A figure that fails
 * is recorded as an error and the others still run.
 */
import { performance } from "node:perf_hooks";
import type { Config } from "../configs/types.ts";
import type { Plan } from "../plan.ts";
import type { ServicePorts } from "../processes/sink-protocol.ts";
import type { MetricKey } from "../report/metrics.ts";
import { type ConfigResults, record } from "../results.ts";
import { type IperfServer, iperf } from "./iperf3.ts";
import type { LoadClient } from "./load-client.ts";

export interface RepContext {
  plan: Plan;
  services: ServicePorts;
  /** Undefined when iperf3 is not installed: the bench sender stands in. */
  iperfServer: IperfServer | undefined;
  load: LoadClient;
}

const SLACK_MS = 10_000; // on top of a task's own time bound, for connection setup and teardown

export async function measureRep(
  config: Config,
  rep: number,
  results: ConfigResults,
  { plan, services, iperfServer, load }: RepContext,
): Promise<string> {
  const started = performance.now();
  const targets = [services.echo, services.sink];
  if (iperfServer) targets.push(iperfServer.port);
  const running = await config.start(targets);
  const [echo, sink, iperfEntry] = running.entries as [number, number, number | undefined];
  const shown: string[] = [];
  const show = (key: MetricKey, text: string) => {
    if (results.values[key]?.[rep] !== undefined) shown.push(text);
  };

  /** Runs one measurement; a failure becomes an error (or n/a where that is expected). */
  const attempt = async (keys: MetricKey[], run: () => Promise<void>, naReason?: string) => {
    if (keys.every((key) => results.na[key])) return;
    try {
      await run();
    } catch (err) {
      const message = (err as Error).message.split("\n")[0];
      if (naReason) for (const key of keys) results.na[key] = `${naReason} (${message})`;
      else results.errors.push(`rep ${rep + 1}, ${keys.join("/")}: ${message}`);
    }
  };

  try {
    // Readiness probes (socat, haproxy, the multi pair's public port) reach the
    // iperf3 server through the forwarder as half-born control connections
    // that can spoil the next test: a fresh server starts clean.
    if (iperfServer && iperfEntry !== undefined) await iperfServer.restart();
    for (const [key, streams] of [
      ["tput1", 1],
      ["tput4", 4],
    ] as const) {
      if (iperfServer && iperfEntry !== undefined) {
        await attempt(
          [key],
          async () => {
            const tries = config.oneAtATime ? 1 : 2;
            for (let tried = 1; ; tried++) {
              try {
                const length = streams === 1 ? plan.iperf.oneStream : plan.iperf.fourStreams;
                // A relay that serves one connection at a time hangs iperf3: give up sooner.
                const grace = config.oneAtATime ? 1500 : plan.iperfGraceMs;
                record(results, key, rep, await iperf(iperfEntry, streams, length, grace));
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
        if (key === "tput1" && results.na.tput1) results.na.tput4 = results.na.tput1;
      } else {
        // No iperf3 here: the bench's own sender measures the same figure.
        await attempt([key], async () => {
          const args = { port: sink, bytes: plan.streamBytes, streams };
          const result = await load.call("stream", args, 60_000);
          record(results, key, rep, result.mbPerSecond);
        });
      }
    }
    await attempt(["stream1"], async () => {
      const args = { port: sink, bytes: plan.streamBytes, streams: 1 };
      record(results, "stream1", rep, (await load.call("stream", args, 60_000)).mbPerSecond);
    });
    await attempt(["rtt64", "rtt64p99"], async () => {
      const args = { port: echo, size: 64, ...plan.rtt64 };
      const result = await load.call("roundTrips", args, plan.rtt64.timeMs + SLACK_MS);
      record(results, "rtt64", rep, result.medianUs);
      record(results, "rtt64p99", rep, result.p99Us);
    });
    await attempt(["rtt64k", "rtt64kp99", "rtt64kStalls"], async () => {
      const args = { port: echo, size: 64 * 1024, ...plan.rtt64k };
      const result = await load.call("roundTrips", args, plan.rtt64k.timeMs + SLACK_MS);
      record(results, "rtt64k", rep, result.medianUs);
      record(results, "rtt64kp99", rep, result.p99Us);
      record(results, "rtt64kStalls", rep, result.stalls);
    });
    await attempt(["connRate"], async () => {
      const args = { port: echo, ...plan.connRate };
      const result = await load.call("connRate", args, plan.connRate.timeMs + SLACK_MS);
      if (result.failed > 0) {
        throw new Error(
          `${result.failed} of ${result.completed + result.failed} connections failed: ${result.firstError}`,
        );
      }
      record(results, "connRate", rep, result.perSecond);
    });
    await attempt(["ttfb"], async () => {
      const args = { port: echo, ...plan.firstByte };
      const result = await load.call("firstByte", args, plan.firstByte.timeMs + SLACK_MS);
      record(results, "ttfb", rep, result.medianUs);
    });
  } finally {
    const stopping = performance.now();
    await running.stop();
    const seconds = (performance.now() - stopping) / 1000;
    // A forwarder waits for open connections on SIGINT: a slow stop means one was left open.
    if (seconds > 2) results.notes.push(`rep ${rep + 1}: took ${seconds.toFixed(1)} s to stop`);
  }
  const v = (key: MetricKey) => results.values[key]?.[rep] ?? 0;
  show("tput1", `1-stream ${v("tput1").toFixed(0)} MB/s`);
  show("tput4", `4-stream ${v("tput4").toFixed(0)} MB/s`);
  show("stream1", `bench ${v("stream1").toFixed(0)} MB/s`);
  show("rtt64", `rtt64 ${v("rtt64").toFixed(0)} µs`);
  show("rtt64k", `rtt64k ${v("rtt64k").toFixed(0)} µs`);
  show("connRate", `${v("connRate").toFixed(0)} conn/s`);
  show("ttfb", `ttfb ${v("ttfb").toFixed(0)} µs`);
  return `${shown.join(", ")} (${((performance.now() - started) / 1000).toFixed(1)} s)`;
}
