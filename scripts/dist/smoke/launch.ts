import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** How an executable is started: natively, or a Windows one under Wine. */
export interface Launcher {
  /** For PASS/FAIL lines, e.g. "win-x64 under Wine". */
  label: string;
  /** The program that runs the executable ("" to run it directly). */
  command: string;
  env: NodeJS.ProcessEnv;
}

export function nativeLauncher(label: string): Launcher {
  return { label, command: "", env: {} };
}

/** Wine in `prefix` (a WINEPREFIX set to Windows 10: Node refuses the default, Windows 7). */
export function wineLauncher(label: string, wine: string, prefix: string): Launcher {
  return { label, command: wine, env: { WINEPREFIX: prefix, WINEDEBUG: "-all" } };
}

/** A started program whose output goes to files (Node under Wine crashes on pipes). */
export interface Started {
  child: ChildProcess;
  output(): string;
  stdout(): string;
  /** Resolves with the exit code (null after a signal). */
  exited: Promise<number | null>;
  /** Polls the output files for `pattern`; rejects on exit or timeout. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends SIGINT (Ctrl+C; Wine passes it on as such) and resolves with the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
}

let serial = 0;

/** Programs still running; a check that timed out leaves some, killed when smoke.ts exits. */
const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export function start(
  launcher: Launcher,
  exe: string,
  args: readonly string[],
  logDir: string,
): Started {
  const name = `${++serial}`;
  const outFile = join(logDir, `${name}.out`);
  const errFile = join(logDir, `${name}.err`);
  const out = openSync(outFile, "w");
  const err = openSync(errFile, "w");
  const [command, argv] = launcher.command ? [launcher.command, [exe, ...args]] : [exe, [...args]];
  const child = spawn(command, argv, {
    env: { ...process.env, ...launcher.env },
    stdio: ["ignore", out, err],
  });
  closeSync(out);
  closeSync(err);
  running.add(child);
  child.once("exit", () => running.delete(child));
  let code: number | null | undefined;
  const exited = once(child, "exit").then(([status]) => {
    code = status as number | null;
    return code;
  });
  const stdout = () => readFileSync(outFile, "utf8");
  const output = () => stdout() + readFileSync(errFile, "utf8");

  return {
    child,
    output,
    stdout,
    exited,
    async waitFor(pattern, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = output().match(pattern);
        if (match) return match;
        if (code !== undefined) throw new Error(`exited (${code}) before ${pattern}: ${output()}`);
        if (Date.now() > deadline)
          throw new Error(`no ${pattern} within ${timeoutMs} ms: ${output()}`);
        await sleep(50);
      }
    },
    async stop(timeoutMs = 15_000) {
      if (code !== undefined) return code;
      child.kill("SIGINT");
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Runs to the end; kills it after `timeoutMs`. */
export async function runToEnd(
  launcher: Launcher,
  exe: string,
  args: readonly string[],
  logDir: string,
  timeoutMs = 30_000,
): Promise<{ status: number | null; stdout: string; output: string }> {
  const started = start(launcher, exe, args, logDir);
  const timer = setTimeout(() => started.child.kill("SIGKILL"), timeoutMs);
  try {
    const status = await started.exited;
    return { status, stdout: started.stdout(), output: started.output() };
  } finally {
    clearTimeout(timer);
  }
}
