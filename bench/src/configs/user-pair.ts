/**
 * fwd's user pair, two hops: user-client listens here and, per connection,
 * asks user-server to connect to the target. One user-client per target (its
 * target is a flag), one user-server for all. One configuration per mode a
 * user runs (fwd-modes.ts): legacy (the default), v2 with a token, and v2
 * with a token over TLS.
 */
import type { ListeningBin } from "@fwd/testkit";
import { sumRssKb } from "../measure/proc-memory.ts";
import { type FwdMode, legacyMode, modeFlags, v2Mode, v2TlsMode } from "./fwd-modes.ts";
import { LOOPBACK, pidsOf, startFwdBin, stopAll } from "./launch.ts";
import type { Config } from "./types.ts";

function userPair(mode: FwdMode, fullRunOnly: boolean): Config {
  return {
    key: `user-pair${mode.keySuffix}`,
    label: `user pair${mode.labelSuffix}`,
    hops: 2,
    fullRunOnly,
    missing: () => undefined,
    async start(targets) {
      const flags = await modeFlags(mode);
      const processes: ListeningBin[] = [];
      const stop = async () => {
        await stopAll(processes);
        flags.cleanup();
      };
      try {
        processes.push(await startFwdBin("user-server", flags.server));
        const server = processes[0]!;
        const settled = await Promise.allSettled(
          targets.map((port) =>
            startFwdBin("user-client", {
              server_host: LOOPBACK,
              server_port: server.port,
              server_target_host: LOOPBACK,
              server_target_port: port,
              unique_id: "bench",
              ...flags.client,
            }),
          ),
        );
        // Keep every client that started, so that a failure of one stops the others.
        const clients: ListeningBin[] = [];
        for (const result of settled) if (result.status === "fulfilled") clients.push(result.value);
        processes.push(...clients);
        const failed = settled.find((result) => result.status === "rejected");
        if (failed) throw failed.reason;
        return {
          entries: clients.map((client) => client.port),
          memoryKb: () => sumRssKb(pidsOf(processes)),
          pids: () => pidsOf(processes),
          stop,
        };
      } catch (err) {
        await stop();
        throw err;
      }
    },
  };
}

export const userPairLegacy = userPair(legacyMode, false);
export const userPairV2 = userPair(v2Mode, true);
export const userPairV2Tls = userPair(v2TlsMode, false);
