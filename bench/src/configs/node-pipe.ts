/** The bench's own a.pipe(b) forwarder (processes/pipe-forwarder.ts), one process per target. */
import { fileURLToPath } from "node:url";
import type { RunningProcess } from "@fwd/testkit";
import { sumRssKb } from "../measure/proc-memory.ts";
import { pidsOf, startTsListener, stopAll } from "./launch.ts";
import type { Config } from "./types.ts";

const script = fileURLToPath(new URL("../processes/pipe-forwarder.ts", import.meta.url));

export const nodePipe: Config = {
  key: "node-pipe",
  label: "node a.pipe(b)",
  hops: 1,
  missing: () => undefined,
  async start(targets) {
    const processes: Array<RunningProcess & { port: number }> = [];
    try {
      for (const target of targets) processes.push(await startTsListener(script, [String(target)]));
      return {
        entries: processes.map((running) => running.port),
        memoryKb: () => sumRssKb(pidsOf(processes)),
        pids: () => pidsOf(processes),
        stop: () => stopAll(processes),
      };
    } catch (err) {
      await stopAll(processes);
      throw err;
    }
  },
};
