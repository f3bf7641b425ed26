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
import type { IperfServer } from "./iperf3.ts";
import type { LoadClient } from "./load-client.ts";
import { type Attempt, measureThroughput } from "./throughput.ts";

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
  context: RepContext,
): Promise<string> {
  const { plan, services, iperfServer, load } = context;
  const started = performance.now();
  const targets = [services.echo, services.sink];
  if (iperfServer) targets.push(iperfServer.port);
  const running = await config.start(targets);
  const [echo, sink, iperfEntry] = running.entries as [number, number, number | undefined];
  const shown: string[] = [];
  const show = (key: MetricKey, text: string) => {
    if (results.values[key]?.[rep] !== undefined) shown.push(text);
  };

  const attempt: Attempt = async (keys, run, naReason) => {
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
    await measureThroughput(
      config,
      running,
      rep,
      results,
      context,
      { sink, iperf: iperfEntry },
      attempt,
    );
    await attempt(["stream1"], async () => {
      const args = { port: sink, bytes: plan.streamBytes, streams: 1 };
      record(results, "stream1", rep, (await load.call("stream", args, 60_000)).mbPerSecond);
    });
    await attempt(["rtt64", "rtt64p99", "rtt64p99cold"], async () => {
      const args = { port: echo, size: 64, ...plan.rtt64 };
      const result = await load.call("roundTrips", args, plan.rtt64.timeMs + SLACK_MS);
      record(results, "rtt64", rep, result.medianUs);
      record(results, "rtt64p99", rep, result.p99Us);
      if (result.coldP99Us !== undefined) record(results, "rtt64p99cold", rep, result.coldP99Us);
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
    for (const note of running.notes?.() ?? []) results.notes.push(`rep ${rep + 1}: ${note}`);
  }
  const v = (key: MetricKey) => results.values[key]?.[rep] ?? 0;
  show("tput1", `1-stream ${v("tput1").toFixed(0)} MB/s`);
  show("tput4", `4-stream ${v("tput4").toFixed(0)} MB/s`);
  show("cpuPerGb", `cpu ${v("cpuPerGb").toFixed(2)} s/GB`);
  show("stream1", `bench ${v("stream1").toFixed(0)} MB/s`);
  show("rtt64", `rtt64 ${v("rtt64").toFixed(0)} µs`);
  show("rtt64k", `rtt64k ${v("rtt64k").toFixed(0)} µs`);
  show("connRate", `${v("connRate").toFixed(0)} conn/s`);
  show("ttfb", `ttfb ${v("ttfb").toFixed(0)} µs`);
  return `${shown.join(", ")} (${((performance.now() - started) / 1000).toFixed(1)} s)`;
}
