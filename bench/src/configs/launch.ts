/** Starting and stopping the processes of a configuration. */
import { spawnSync } from "node:child_process";
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import {
  binPath,
  type ListeningBin,
  type RunningProcess,
  startListeningBin,
  startProcess,
} from "@fwd/testkit";
import { processTree } from "../measure/proc-memory.ts";

export const LOOPBACK = "127.0.0.1";

export type FwdFlags = Record<string, string | number>;

/** `--name=value` for each flag. */
export function flagArgs(flags: FwdFlags): string[] {
  return Object.entries(flags).map(([name, value]) => `--${name}=${value}`);
}

/** A built fwd bin listening on a free loopback port; `env` adds to the environment. */
export async function startFwdBin(
  pkg: string,
  flags: FwdFlags,
  env: NodeJS.ProcessEnv = {},
): Promise<ListeningBin> {
  const args = flagArgs({ bind_host: LOOPBACK, bind_port: 0, ...flags });
  try {
    // DEBUG output would slow the relay down and could match the start line first.
    return await startListeningBin(binPath(pkg), args, { env: { DEBUG: "", ...env } });
  } catch (err) {
    throw startFailure(pkg, err);
  }
}

/**
 * A bin that did not start, as one line that names it and quotes its last
 * line of output (the report keeps only the first line of an error).
 */
export function startFailure(pkg: string, err: unknown): Error {
  const message = (err as Error).message;
  const lines = message.split("\n").filter((line) => line.trim() !== "");
  const first = lines[0] ?? message;
  // testkit's waitFor quotes its pattern: say what happened instead.
  const exited = /^exited \(([^)]*)\) before/.exec(first);
  const what = exited
    ? `exited with status ${exited[1]}`
    : first.startsWith("timed out waiting for")
      ? "printed no start line in time"
      : first;
  const last = lines.length > 1 ? lines[lines.length - 1]!.trim() : "";
  return new Error(`${pkg} did not start: ${what}${last ? ` — ${last}` : ""}`, { cause: err });
}

const helpTexts = new Map<string, string>();

/**
 * Whether the built bin of `pkg` lists `--flag` in its --help (for flags that
 * are being added: a configuration that needs one is skipped, loudly, until
 * the bin has it). Asked once per bin.
 */
export function fwdBinHasFlag(pkg: string, flag: string): boolean {
  let help = helpTexts.get(pkg);
  if (help === undefined) {
    let path: string;
    try {
      path = binPath(pkg);
    } catch {
      return false;
    }
    const result = spawnSync(process.execPath, [path, "--help"], {
      encoding: "utf8",
      timeout: 10_000,
    });
    help = `${result.stdout ?? ""}${result.stderr ?? ""}`;
    helpTexts.set(pkg, help);
  }
  return new RegExp(`--${flag}\\b`).test(help);
}

/** Why a configuration that needs `flag` on `packages` cannot run yet, or undefined. */
export function missingFwdFlag(packages: readonly string[], flag: string): string | undefined {
  const without = packages.filter((pkg) => !fwdBinHasFlag(pkg, flag));
  if (without.length === 0) return undefined;
  return `the built ${without.join(" and ")} ${without.length > 1 ? "have" : "has"} no --${flag} flag yet (pnpm build once it lands)`;
}

/** A TypeScript script of the bench, under the bench's own tsx loader, that prints "listening on". */
export async function startTsListener(
  script: string,
  args: readonly string[],
): Promise<RunningProcess & { port: number }> {
  const running = startProcess(process.execPath, [...process.execArgv, script, ...args]);
  try {
    const [, port] = await running.waitFor(/listening on [^\s:]+:(\d+)/);
    return Object.assign(running, { port: Number(port) });
  } catch (err) {
    await running.stop("SIGKILL");
    throw err;
  }
}

/**
 * Waits until something accepts on `port` (for tools that do not announce
 * readiness, like socat and haproxy); fails after `timeoutMs` or if `running` exits.
 */
export async function waitForPort(
  port: number,
  running: RunningProcess,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  running.exited.then(() => {
    exited = true;
  });
  while (Date.now() < deadline && !exited) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ port, host: LOOPBACK });
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    await sleep(20);
  }
  throw new Error(
    `nothing listens on ${port} ${exited ? "(the process exited)" : `after ${timeoutMs} ms`}:\n${running.stderr()}`,
  );
}

/** Stops every process at once (each has its own connections by now). */
export async function stopAll(
  processes: readonly RunningProcess[],
  signal: NodeJS.Signals = "SIGINT",
): Promise<void> {
  await Promise.all(
    processes.map(async (running) => {
      // A stop that hangs (a relay left open) is finished off after 3 s: the
      // next configuration needs the CPU. measureRep notes slow stops.
      const killer = setTimeout(() => running.child.kill("SIGKILL"), 3000);
      await running.stop(signal);
      clearTimeout(killer);
    }),
  );
}

function signalTree(pid: number, signal: NodeJS.Signals): void {
  for (const member of processTree(pid).reverse()) {
    try {
      process.kill(member, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Ends a process and every child it forked (socat, sshd), children first;
 * what is still there 3 s later is killed.
 */
export async function stopTree(running: RunningProcess): Promise<void> {
  const pid = running.child.pid!;
  signalTree(pid, "SIGTERM");
  const killer = setTimeout(() => signalTree(pid, "SIGKILL"), 3000);
  await running.exited;
  clearTimeout(killer);
}

export function pidsOf(processes: readonly RunningProcess[]): number[] {
  return processes.map((running) => running.child.pid!);
}
