/**
 * A private sshd on 127.0.0.1 for the ssh -L / -R configurations, and the
 * ssh client that logs in to it. Everything lives in a temporary directory
 * made per start: a host key, a client key (the only authorized one) and the
 * sshd configuration. The bench runs as root, so this instance alone permits
 * a root login, by key only; PAM, DNS lookups and every forwarding beyond TCP
 * are off, and forwarded ports stay on loopback (GatewayPorts no).
 */
import { execFile, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort, type RunningProcess, startProcess } from "@fwd/testkit";
import { treePssKb } from "../measure/proc-memory.ts";
import { LOOPBACK, startFailure, stopTree } from "./launch.ts";
import { hasCommand, hasProgram, missingProgram } from "./tools.ts";

export const SSHD = "/usr/sbin/sshd";

/**
 * Idle connections held through ssh in the memory test: memory per
 * connection is a level, and 9,000 took the two-minute cap through ssh here
 * (about 0.5 MB each, all in one sshd and one ssh process).
 */
export const SSH_IDLE_LIMIT = 1000;
/** Compiled into Debian's sshd; the openssh-server service makes it at boot. */
const PRIVSEP_DIR = "/run/sshd";

export function sshMissing(): string | undefined {
  if (process.platform !== "linux") return "the ssh configurations run on Linux only";
  const missing = [
    existsSync(SSHD) ? "" : SSHD,
    hasCommand("ssh", ["-V"]) ? "" : "ssh",
    hasProgram("ssh-keygen", ["-?"]) ? "" : "ssh-keygen",
  ].filter(Boolean);
  return missing.length === 0
    ? undefined
    : missingProgram(missing.join(", "), "openssh-server openssh-client");
}

const run = promisify(execFile);

function sshdConfig(dir: string, port: number): string {
  return [
    `ListenAddress ${LOOPBACK}`,
    `Port ${port}`,
    `HostKey ${join(dir, "host_key")}`,
    `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
    `PidFile none`,
    // Only this private instance, only by the key made for this run.
    "PermitRootLogin prohibit-password",
    "AuthenticationMethods publickey",
    "PubkeyAuthentication yes",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "UsePAM no",
    // The temporary directory is under /tmp, which is world-writable.
    "StrictModes no",
    "UseDNS no",
    "AllowTcpForwarding yes",
    "GatewayPorts no",
    "AllowAgentForwarding no",
    "X11Forwarding no",
    "PermitTunnel no",
    "PrintMotd no",
    "ClientAliveInterval 0",
    "",
  ].join("\n");
}

/** sshd refuses to start without its privilege separation directory. */
function ensurePrivsepDir(): void {
  if (existsSync(PRIVSEP_DIR)) return;
  try {
    mkdirSync(PRIVSEP_DIR, { mode: 0o755 });
    console.error(`  made ${PRIVSEP_DIR}: sshd's privilege separation directory was missing`);
  } catch (err) {
    throw new Error(
      `sshd needs ${PRIVSEP_DIR} and it could not be made: ${(err as Error).message}`,
    );
  }
}

export interface PrivateSshd {
  port: number;
  /** The client arguments that log in to it, without forwards and cipher. */
  loginArgs: string[];
  process: RunningProcess;
  /** Ends sshd and its per-connection children, removes the keys. */
  stop(): Promise<void>;
}

/** Binding a port another process took since freePort() picked it: pick another. */
const BIND_ATTEMPTS = 3;

export async function startPrivateSshd(): Promise<PrivateSshd> {
  ensurePrivsepDir();
  const dir = mkdtempSync(join(tmpdir(), "fwd-bench-sshd-"));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  try {
    for (const key of ["host_key", "client_key"]) {
      await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, key)], {
        timeout: 10_000,
      });
    }
    copyFileSync(join(dir, "client_key.pub"), join(dir, "authorized_keys"));
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const configFile = join(dir, "sshd_config");
      writeFileSync(configFile, sshdConfig(dir, port));
      const sshd = startProcess(SSHD, ["-D", "-e", "-f", configFile]);
      try {
        await sshd.waitFor(/Server listening on 127\.0\.0\.1 port \d+/, 5000);
      } catch (err) {
        await stopTree(sshd);
        if (attempt < BIND_ATTEMPTS && /Address already in use/.test(sshd.stderr())) continue;
        throw startFailure("sshd", err);
      }
      return {
        port,
        process: sshd,
        loginArgs: [
          "-N",
          "-F",
          "none",
          "-i",
          join(dir, "client_key"),
          "-p",
          String(port),
          "-l",
          userInfo().username,
          "-o",
          "StrictHostKeyChecking=no",
          "-o",
          "UserKnownHostsFile=/dev/null",
          "-o",
          "BatchMode=yes",
          "-o",
          "ExitOnForwardFailure=yes",
          "-o",
          "IdentitiesOnly=yes",
        ],
        async stop() {
          await stopTree(sshd);
          removeDir();
        },
      };
    }
  } catch (err) {
    removeDir();
    throw err;
  }
}

/** An ssh -N client with `forwardArgs` (-L or -R …) and `cipher` (undefined: ssh's default). */
export function startSshClient(
  sshd: PrivateSshd,
  forwardArgs: readonly string[],
  cipher: string | undefined,
): RunningProcess {
  const cipherArgs = cipher ? ["-c", cipher] : [];
  return startProcess("ssh", [...sshd.loginArgs, ...cipherArgs, ...forwardArgs, LOOPBACK]);
}

let sshDefaultCipher: string | null | undefined;

/** The cipher ssh picks without -c (its first, which sshd offers too); null if unknown. */
function defaultCipher(): string | null {
  if (sshDefaultCipher === undefined) {
    const result = spawnSync("ssh", ["-F", "none", "-G", LOOPBACK], {
      encoding: "utf8",
      timeout: 5000,
    });
    sshDefaultCipher = /^ciphers ([^,\s]+)/m.exec(result.stdout ?? "")?.[1] ?? null;
  }
  return sshDefaultCipher;
}

/** "ssh -L aes128-gcm", or with ssh's default (`cipher` undefined) "ssh -L chacha20-poly1305 (default)". */
export function sshLabel(command: string, cipher: string | undefined): string {
  const short = (name: string) => name.replace(/@openssh\.com$/, "");
  if (cipher) return `${command} ${short(cipher)}`;
  const chosen = defaultCipher();
  return chosen ? `${command} ${short(chosen)} (default)` : `${command} (default cipher)`;
}

/** Memory of an ssh path: both trees' Pss (sshd forks per connection, with shared pages). */
export function sshMemoryKb(sshd: PrivateSshd, client: RunningProcess): number {
  return treePssKb(sshd.process.child.pid!) + treePssKb(client.child.pid!);
}
