/**
 * The memory figures, after the rotating phase: each configuration is started
 * afresh for each test, with only the one target the test needs, so the
 * memory read is that of exactly the processes on the path.
 */
import type { Config } from "./configs/types.ts";
import type { LoadClient } from "./measure/load-client.ts";
import { idleMemory } from "./measure/memory-idle.ts";
import { stalledMemory } from "./measure/memory-stalled.ts";
import { procAvailable } from "./measure/proc-memory.ts";
import type { Plan } from "./plan.ts";
import type { ServicePorts } from "./processes/sink-protocol.ts";
import { type ConfigResults, record } from "./results.ts";

const mib = (kb: number) => `${(kb / 1024).toFixed(1)} MiB`;

export async function measureMemory(
  config: Config,
  rep: number,
  results: ConfigResults,
  services: ServicePorts,
  plan: Plan,
  load: LoadClient,
): Promise<string> {
  if (config.key === "direct") {
    results.na.idleKb = results.na.stalledMb = "no forwarder";
    return "no forwarder";
  }
  if (!procAvailable) {
    results.na.idleKb = results.na.stalledMb = "needs Linux /proc";
    return "skipped: no /proc";
  }
  const shown: string[] = [];
  if (config.oneAtATime) {
    results.na.idleKb = "one connection at a time: idle connections are not relayed";
  } else {
    try {
      const idle = await idleMemory(config, services, plan, load);
      record(results, "idleKb", rep, idle.bytesPerConnection / 1000);
      const each = plan.idle.bytesEachWay / 1024;
      const held =
        idle.connections < idle.asked
          ? `${idle.connections} of ${idle.asked} connections (time cap)`
          : `${idle.connections} connections`;
      results.notes.push(
        `idle memory: ${held}, ${each} KiB each way, filled in ${idle.fillSeconds.toFixed(1)} s; ${mib(idle.baselineKb)} → ${mib(idle.loadedKb)}`,
      );
      shown.push(
        `idle ${(idle.bytesPerConnection / 1000).toFixed(1)} KB/conn (${idle.connections})`,
      );
    } catch (err) {
      results.errors.push(`memory rep ${rep + 1}, idle: ${(err as Error).message.split("\n")[0]}`);
    }
  }
  try {
    const stalled = await stalledMemory(config, services, plan, load);
    record(results, "stalledMb", rep, stalled.growthBytes / 1e6);
    const { accepted, seconds, stoppedBecause } = stalled.push;
    results.notes.push(
      `stopped reader: sender pushed ${(accepted / 1e6).toFixed(0)} MB in ${seconds.toFixed(1)} s (stopped: ${stoppedBecause}); ${mib(stalled.baselineKb)} → peak ${mib(stalled.peakKb)}`,
    );
    shown.push(
      `stopped reader +${(stalled.growthBytes / 1e6).toFixed(1)} MB (${(accepted / 1e6).toFixed(0)} MB pushed, ${stoppedBecause})`,
    );
  } catch (err) {
    results.errors.push(
      `memory rep ${rep + 1}, stopped reader: ${(err as Error).message.split("\n")[0]}`,
    );
  }
  return shown.join(", ");
}
