/**
 * fwd's reverse tunnel, two hops: each multi-client registers with the
 * multi-server, which opens a public port (the entry); every public connection
 * is relayed over a registration to the client and on to the target.
 */
import { binPath, connectWithRetry, freePort, type RunningProcess, startNode } from "@fwd/testkit";
import { sumRssKb } from "../measure/proc-memory.ts";
import { LOOPBACK, pidsOf, startFwdBin, stopAll } from "./launch.ts";
import type { Config } from "./types.ts";

/** Starts one multi-client for `target`; `started` keeps it for stopping, even if it fails. */
async function tunnel(serverPort: number, target: number, started: RunningProcess[]) {
  const publicPort = await freePort();
  const client = startNode(
    binPath("multi-client"),
    [
      `--server_host=${LOOPBACK}`,
      `--server_port=${serverPort}`,
      `--target_host=${LOOPBACK}`,
      `--target_port=${target}`,
      `--server_target_port=${publicPort}`,
      "--unique_id=bench",
    ],
    { env: { DEBUG: "" } },
  );
  started.push(client);
  await client.waitFor(/registered with server/);
  // The server opens the public port when the registration reaches it.
  (await connectWithRetry(publicPort)).destroy();
  return publicPort;
}

export const multiPair: Config = {
  key: "multi-pair",
  label: "multi pair",
  hops: 2,
  missing: () => undefined,
  async start(targets) {
    const server = await startFwdBin("multi-server", {});
    const processes: RunningProcess[] = [server];
    try {
      // One after the other: each picks a free public port the moment before it registers.
      const entries: number[] = [];
      for (const target of targets) entries.push(await tunnel(server.port, target, processes));
      return {
        entries,
        memoryKb: () => sumRssKb(pidsOf(processes)),
        stop: () => stopAll(processes),
      };
    } catch (err) {
      await stopAll(processes);
      throw err;
    }
  },
};
