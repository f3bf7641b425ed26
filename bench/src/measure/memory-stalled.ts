/**
 * Forwarder RSS growth under a stopped reader: a sender pushes into the stall
 * service (which stops reading after its first MiB) through the
 * configuration, while the bench samples the forwarder's memory. A forwarder
 * that respects backpressure stops reading from the sender once the far
 * side's kernel buffers are full; one that queues in user space grows.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Config } from "../configs/types.ts";
import type { PushResult } from "../load/push-stalled.ts";
import type { Plan } from "../plan.ts";
import type { ServicePorts } from "../processes/sink-protocol.ts";
import type { LoadClient } from "./load-client.ts";
import { samplePeak } from "./sampler.ts";

export interface StalledMemory {
  growthBytes: number;
  baselineKb: number;
  peakKb: number;
  push: PushResult;
}

const SAMPLE_MS = 20;
const WARMUP_BYTES = 512 * 1024; // under the stall service's first MiB: it is all read

export async function stalledMemory(
  config: Config,
  services: ServicePorts,
  plan: Plan,
  load: LoadClient,
): Promise<StalledMemory> {
  const running = await config.start([services.stall]);
  try {
    const port = running.entries[0]!;
    // Warm the path up with one small transfer the reader does take, so the
    // growth below is what the stopped reader causes, not first-use costs.
    const warmup = { port, maxBytes: WARMUP_BYTES, blockedMs: 1000, capMs: 5000 };
    await load.call("pushStalled", warmup, 15_000);
    await sleep(plan.settleMs);
    const baselineKb = running.memoryKb();
    const stopSampling = samplePeak(() => running.memoryKb(), SAMPLE_MS);
    let peakKb = baselineKb;
    let push: PushResult;
    try {
      push = await load.call("pushStalled", { port, ...plan.stalled }, plan.stalled.capMs + 15_000);
    } finally {
      peakKb = stopSampling();
    }
    return { growthBytes: (peakKb - baselineKb) * 1024, baselineKb, peakKb, push };
  } finally {
    await running.stop();
  }
}
