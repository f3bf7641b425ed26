/**
 * fwd's user pair, two hops: user-client listens here and, per connection,
 * asks user-server to connect to the target. One user-client per target (its
 * target is a flag), one user-server for all.
 */
import { sumRssKb } from "../measure/proc-memory.ts";
import { LOOPBACK, pidsOf, startFwdBin, stopAll } from "./launch.ts";
import type { Config } from "./types.ts";

export const userPair: Config = {
  key: "user-pair",
  label: "user pair",
  hops: 2,
  missing: () => undefined,
  async start(targets) {
    const server = await startFwdBin("user-server", {});
    try {
      const clients = await Promise.all(
        targets.map((port) =>
          startFwdBin("user-client", {
            server_host: LOOPBACK,
            server_port: server.port,
            server_target_host: LOOPBACK,
            server_target_port: port,
            unique_id: "bench",
          }),
        ),
      );
      const processes = [...clients, server];
      return {
        entries: clients.map((client) => client.port),
        memoryKb: () => sumRssKb(pidsOf(processes)),
        stop: () => stopAll(processes),
      };
    } catch (err) {
      await stopAll([server]);
      throw err;
    }
  },
};
