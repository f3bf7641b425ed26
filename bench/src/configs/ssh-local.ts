/**
 * ssh -L, what users compare fwd's user pair with: the ssh client listens
 * here (one -L per target) and carries each connection over one SSH
 * connection to a private sshd (sshd.ts), which connects to the target. Two
 * hops, like the user pair. With ssh's default cipher and with aes128-gcm
 * (AES-NI: usually the fastest).
 */
import { freePort, type RunningProcess } from "@fwd/testkit";
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

/** Waiting for ssh to log in and bind its forwards. */
const READY_MS = 10_000;

/** `cipher` undefined: ssh's default, named in the label (read when first shown). */
function sshLocal(key: string, cipher: string | undefined, fullRunOnly: boolean) {
  const config: Config = {
    key,
    get label() {
      return sshLabel("ssh -L", cipher);
    },
    hops: 2,
    idleLimit: SSH_IDLE_LIMIT,
    fullRunOnly,
    missing: sshMissing,
    async start(targets) {
      const sshd: PrivateSshd = await startPrivateSshd();
      let client: RunningProcess | undefined;
      const stop = async () => {
        if (client) await stopTree(client);
        await sshd.stop();
      };
      try {
        const entries: number[] = [];
        for (const _ of targets) entries.push(await freePort());
        const forwards = targets.flatMap((target, i) => [
          "-L",
          `${LOOPBACK}:${entries[i]}:${LOOPBACK}:${target}`,
        ]);
        client = startSshClient(sshd, forwards, cipher);
        try {
          // ssh binds every -L at once: probing the first (echo) is enough, and
          // a probe through the last (iperf3) could reach the server just
          // after its restart as a half-born control connection.
          await waitForPort(entries[0]!, client, READY_MS);
        } catch (err) {
          throw startFailure("ssh -L", err);
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

export const sshLocalDefault = sshLocal("ssh-L", undefined, true);
export const sshLocalAes128 = sshLocal("ssh-L-aes128", "aes128-gcm@openssh.com", false);
