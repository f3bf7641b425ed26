/**
 * What users run today: the legacy user pair, both ends played by the Python
 * stand-in (uvm_peer.py). Its client serves one connection at a time and its
 * relay closes both ways on the first EOF, so the bench only sends it traffic
 * that needs neither a second connection nor a half-close.
 */
import {
  type RunningProcess,
  referenceLegacyPeerMissing,
  referenceLegacyPeerPath,
  startLegacyPeer,
} from "@fwd/testkit";
import { sumRssKb } from "../measure/proc-memory.ts";
import { LOOPBACK, pidsOf, stopAll } from "./launch.ts";
import type { Config } from "./types.ts";

export const legacyUser: Config = {
  key: "legacy-user",
  label: "legacy user pair (python)",
  hops: 2,
  oneAtATime: true,
  missing() {
    return referenceLegacyPeerMissing();
  },
  async start(targets) {
    const processes: RunningProcess[] = [];
    try {
      // The python stand-in, not the in-repo Node peer: this is the legacy tools' own speed.
      const python = { script: referenceLegacyPeerPath };
      const server = await startLegacyPeer("user-server", {}, python);
      processes.push(server);
      // One after the other: each picks a free port the moment before it binds.
      const clients = [];
      for (const port of targets) {
        const client = await startLegacyPeer(
          "user-client",
          {
            server_host: LOOPBACK,
            server_port: server.port,
            server_target_host: LOOPBACK,
            server_target_port: port,
          },
          python,
        );
        processes.push(client);
        clients.push(client);
      }
      return {
        entries: clients.map((client) => client.port),
        memoryKb: () => sumRssKb(pidsOf(processes)),
        pids: () => pidsOf(processes),
        // SIGTERM: Python turns SIGINT into KeyboardInterrupt, which asyncio may sit on.
        stop: () => stopAll(processes, "SIGTERM"),
      };
    } catch (err) {
      await stopAll(processes, "SIGTERM");
      throw err;
    }
  },
};
