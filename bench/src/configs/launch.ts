/** Starting and stopping the processes of a configuration. */
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import {
  binPath,
  type ListeningBin,
  type RunningProcess,
  startListeningBin,
  startProcess,
} from "@fwd/testkit";

export const LOOPBACK = "127.0.0.1";

/** A built fwd bin listening on a free loopback port; `env` adds to the environment. */
export function startFwdBin(
  pkg: string,
  flags: Record<string, string | number>,
  env: NodeJS.ProcessEnv = {},
): Promise<ListeningBin> {
  const args = Object.entries({ bind_host: LOOPBACK, bind_port: 0, ...flags }).map(
    ([name, value]) => `--${name}=${value}`,
  );
  // DEBUG output would slow the relay down and could match the start line first.
  return startListeningBin(binPath(pkg), args, { env: { DEBUG: "", ...env } });
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

export function pidsOf(processes: readonly RunningProcess[]): number[] {
  return processes.map((running) => running.child.pid!);
}
