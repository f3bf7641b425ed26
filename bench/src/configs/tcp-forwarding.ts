/**
 * fwd's plain forwarder, one process per target. Two configurations: the
 * default (reads through Node's `onread` into a shared buffer, then large
 * pooled buffers for bulk) and FWD_ZERO_COPY=0, Node's plain stream path,
 * to show what the zero-copy path buys.
 */

import { sumRssKb } from "../measure/proc-memory.ts";
import { LOOPBACK, pidsOf, startFwdBin, stopAll } from "./launch.ts";
import type { Config } from "./types.ts";

function tcpForwarding(key: string, label: string, env: NodeJS.ProcessEnv): Config {
  return {
    key,
    label,
    hops: 1,
    missing: () => undefined,
    async start(targets) {
      const processes = await Promise.all(
        targets.map((port) =>
          startFwdBin("tcp-forwarding", { target_host: LOOPBACK, target_port: port }, env),
        ),
      );
      return {
        entries: processes.map((running) => running.port),
        memoryKb: () => sumRssKb(pidsOf(processes)),
        pids: () => pidsOf(processes),
        stop: () => stopAll(processes),
      };
    },
  };
}

export const tcpForwardingDefault = tcpForwarding("tcp-forwarding", "tcp-forwarding", {});
export const tcpForwardingStream = tcpForwarding(
  "tcp-forwarding-stream",
  "tcp-forwarding (stream path)",
  { FWD_ZERO_COPY: "0" },
);
