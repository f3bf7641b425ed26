/**
 * ssh -R, what users compare fwd's multi pair with: the ssh client logs in to
 * a private sshd (sshd.ts) and has it listen on loopback (one -R per target,
 * port 0: sshd picks it and ssh prints it); each connection there comes back
 * over the SSH connection to the client, which connects to the target. Two
 * hops, like the multi pair. With ssh's default cipher and with aes128-gcm.
 */
import type { RunningProcess } from "@fwd/testkit";
import { LOOPBACK, startFailure, stopTree, waitForPort } from "./launch.ts";
import {
  type PrivateSshd,
  SSH_IDLE_LIMIT,
  sshLabel,
  sshMemoryKb,
  sshMissing,
  startPrivateSshd,
  startSshClient,
} from "./sshd.ts";
import type { Config } from "./types.ts";

/** Waiting for ssh to log in and sshd to open the forwarded ports. */
const READY_MS = 10_000;

/** ssh's line for a remote forward on port 0, e.g. "Allocated port 33137 for remote forward to 127.0.0.1:5000". */
async function allocatedPort(client: RunningProcess, target: number): Promise<number> {
  const line = new RegExp(
    `Allocated port (\\d+) for remote forward to 127\\.0\\.0\\.1:${target}\\b`,
  );
  const [, port] = await client.waitFor(line, READY_MS);
  return Number(port);
}

/** `cipher` undefined: ssh's default, named in the label (read when first shown). */
function sshRemote(key: string, cipher: string | undefined) {
  const config: Config = {
    key,
    get label() {
      return sshLabel("ssh -R", cipher);
    },
    hops: 2,
    idleLimit: SSH_IDLE_LIMIT,
    fullRunOnly: true,
    missing: sshMissing,
    async start(targets) {
      const sshd: PrivateSshd = await startPrivateSshd();
      let client: RunningProcess | undefined;
      const stop = async () => {
        if (client) await stopTree(client);
        await sshd.stop();
      };
      try {
        const forwards = targets.flatMap((target) => ["-R", `${LOOPBACK}:0:${LOOPBACK}:${target}`]);
        client = startSshClient(sshd, forwards, cipher);
        const entries: number[] = [];
        try {
          for (const target of targets) entries.push(await allocatedPort(client, target));
          // sshd listens before it answers with the port; one probe through the
          // first (echo) proves the way back. Not the last: through iperf3 it
          // could arrive after the server's restart as a half-born control connection.
          await waitForPort(entries[0]!, client, READY_MS);
        } catch (err) {
          throw startFailure("ssh -R", err);
        }
        const running = client;
        return {
          entries,
          memoryKb: () => sshMemoryKb(sshd, running),
          pids: () => [sshd.process.child.pid!, running.child.pid!],
          stop,
        };
      } catch (err) {
        await stop();
        throw err;
      }
    },
  };
  return config;
}

export const sshRemoteDefault = sshRemote("ssh-R", undefined);
export const sshRemoteAes128 = sshRemote("ssh-R-aes128", "aes128-gcm@openssh.com");
