/**
 * Forwarder memory per idle relayed connection: open N connections through
 * the configuration to the echo service, move traffic through each, leave
 * them idle, and divide the growth of the forwarder's memory by N. A short
 * warm-up with the same traffic runs first and is closed before the baseline,
 * so one-time costs (JIT, buffer pools, lazily loaded code) are not charged
 * to the idle connections.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Config } from "../configs/types.ts";
import type { Plan } from "../plan.ts";
import type { ServicePorts } from "../processes/sink-protocol.ts";
import type { LoadClient } from "./load-client.ts";

export interface IdleMemory {
  bytesPerConnection: number;
  /** Connections held (fewer than `asked` if the time cap ran out first). */
  connections: number;
  asked: number;
  baselineKb: number;
  loadedKb: number;
  fillSeconds: number;
}

const WARMUP_CONNECTIONS = 50;

export async function idleMemory(
  config: Config,
  services: ServicePorts,
  plan: Plan,
  load: LoadClient,
): Promise<IdleMemory> {
  const count = Math.min(plan.idle.connections, config.idleLimit ?? Number.POSITIVE_INFINITY);
  const running = await config.start([services.echo]);
  try {
    const port = running.entries[0]!;
    const hold = async (connections: number) => {
      const args = { port, count: connections, bytesEachWay: plan.idle.bytesEachWay, inflight: 50 };
      const timeout = plan.idle.timeMs + 30_000;
      const result = await load.call("hold", { ...args, timeMs: plan.idle.timeMs }, timeout);
      if (result.failed > 0 || result.open === 0) {
        throw new Error(
          `${result.failed} of ${connections} connections failed: ${result.firstError}`,
        );
      }
      return result; // fewer than asked for when the time cap ran out: reported as such
    };
    await hold(Math.min(WARMUP_CONNECTIONS, count));
    await load.call("release", undefined, 30_000);
    await sleep(plan.settleMs);
    const baselineKb = running.memoryKb();
    const filled = await hold(count);
    await sleep(plan.settleMs);
    const loadedKb = running.memoryKb();
    return {
      bytesPerConnection: ((loadedKb - baselineKb) * 1024) / filled.open,
      connections: filled.open,
      asked: count,
      baselineKb,
      loadedKb,
      fillSeconds: filled.seconds,
    };
  } finally {
    await load.call("release", undefined, 60_000).catch(() => {});
    await running.stop();
  }
}
