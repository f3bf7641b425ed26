/**
 * fwd's reverse tunnel, two hops: each multi-client registers with the
 * multi-server, which opens a public port (the entry); every public connection
 * is relayed over a registration to the client and on to the target. One
 * configuration per mode a user runs (fwd-modes.ts), and v2 with heartbeats
 * off, to show what heartbeats cost.
 */
import { binPath, connectWithRetry, freePort, type RunningProcess, startNode } from "@fwd/testkit";
import { sumRssKb } from "../measure/proc-memory.ts";
import {
  type FwdMode,
  HEARTBEAT_FLAG,
  legacyMode,
  modeFlags,
  v2HeartbeatOffMode,
  v2Mode,
  v2TlsMode,
} from "./fwd-modes.ts";
import {
  type FwdFlags,
  flagArgs,
  LOOPBACK,
  missingFwdFlag,
  pidsOf,
  startFailure,
  startFwdBin,
  stopAll,
} from "./launch.ts";
import type { Config } from "./types.ts";

/** Starts one multi-client for `target`; `started` keeps it for stopping, even if it fails. */
async function tunnel(
  serverPort: number,
  target: number,
  modeClientFlags: FwdFlags,
  started: RunningProcess[],
) {
  const publicPort = await freePort();
  const flags: FwdFlags = {
    server_host: LOOPBACK,
    server_port: serverPort,
    target_host: LOOPBACK,
    target_port: target,
    server_target_port: publicPort,
    unique_id: "bench",
    ...modeClientFlags,
  };
  const client = startNode(binPath("multi-client"), flagArgs(flags), { env: { DEBUG: "" } });
  started.push(client);
  try {
    await client.waitFor(/registered with server/);
  } catch (err) {
    throw startFailure("multi-client", err);
  }
  // The server opens the public port when the registration reaches it.
  (await connectWithRetry(publicPort)).destroy();
  return publicPort;
}

function multiPair(mode: FwdMode, fullRunOnly: boolean): Config {
  return {
    key: `multi-pair${mode.keySuffix}`,
    label: `multi pair${mode.labelSuffix}`,
    hops: 2,
    fullRunOnly,
    missing: () =>
      mode.heartbeatOff
        ? missingFwdFlag(["multi-server", "multi-client"], HEARTBEAT_FLAG)
        : undefined,
    async start(targets) {
      const flags = await modeFlags(mode);
      const processes: RunningProcess[] = [];
      const stop = async () => {
        await stopAll(processes);
        flags.cleanup();
      };
      try {
        const server = await startFwdBin("multi-server", flags.server);
        processes.push(server);
        // One after the other: each picks a free public port the moment before it registers.
        const entries: number[] = [];
        for (const target of targets) {
          entries.push(await tunnel(server.port, target, flags.client, processes));
        }
        return {
          entries,
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

export const multiPairLegacy = multiPair(legacyMode, false);
export const multiPairV2 = multiPair(v2Mode, true);
export const multiPairV2Tls = multiPair(v2TlsMode, true);
export const multiPairV2HeartbeatOff = multiPair(v2HeartbeatOffMode, true);
