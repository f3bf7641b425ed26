import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { now } from "./clock.js";
import { toolEnv } from "./command.js";

/** A program started inside a namespace: its output, its pid, ways to wait on it. */
export interface NsProcess {
  /** What the logs call it, e.g. "multi-server@pub". */
  readonly name: string;
  readonly child: ChildProcess;
  /** The program's own pid: `ip netns exec` execs it in place. */
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Where the output ends now: waitFor(…, { after }) looks only past it. */
  mark(): Mark;
  /**
   * Resolves with the first match of `pattern` in stderr or stdout and the
   * moment its output arrived; rejects if the process exits first or after
   * `timeoutMs` (default 10 s).
   */
  waitFor(pattern: RegExp, options?: { timeoutMs?: number; after?: Mark }): Promise<Seen>;
  /** Sends `signal` (default SIGINT) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  readonly exited: Promise<number | null>;
  /** True until the process has exited. */
  running(): boolean;
}

export interface Mark {
  stdout: number;
  stderr: number;
}

export interface Seen {
  match: RegExpMatchArray;
  /** now() when the output holding the match arrived. */
  at: number;
}

export interface NsStartOptions {
  /** Keep stdin open as a pipe (the agent reads its commands there). */
  stdin?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** Starts `node script args` in namespace `ns`. */
export function startNodeIn(
  ns: string,
  name: string,
  script: string,
  args: readonly string[],
  options: NsStartOptions = {},
): NsProcess {
  const child = spawn("ip", ["netns", "exec", ns, process.execPath, script, ...args], {
    env: { ...toolEnv(), ...options.env },
    stdio: [options.stdin ? "pipe" : "ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let exitCode: number | null | undefined;
  const watchers = new Set<() => void>();
  const notify = () => {
    for (const watcher of [...watchers]) watcher();
  };
  child.stdout?.setEncoding("utf8").on("data", (text: string) => {
    stdout += text;
    notify();
  });
  child.stderr?.setEncoding("utf8").on("data", (text: string) => {
    stderr += text;
    notify();
  });
  child.stdin?.on("error", () => {}); // a dead child's stdin; its exit says the rest
  const exited = new Promise<number | null>((resolve) => {
    const done = (code: number | null) => {
      if (exitCode !== undefined) return;
      exitCode = code;
      notify();
      resolve(code);
    };
    child.once("close", (code, signal) => done(code ?? (signal ? null : 0)));
    child.once("error", (err) => {
      stderr += `${name}: ${err.message}\n`; // could not start at all
      done(null);
    });
  });
  const spawned = child.pid;
  if (spawned === undefined) throw new Error(`${name}: could not start ip netns exec`);
  return {
    name,
    child,
    pid: spawned,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    running: () => exitCode === undefined,
    mark: () => ({ stdout: stdout.length, stderr: stderr.length }),
    waitFor(pattern, { timeoutMs = 10_000, after = { stdout: 0, stderr: 0 } } = {}) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          watchers.delete(check);
          reject(
            new Error(`${name}: timed out waiting for ${pattern}; output:\n${stdout}${stderr}`),
          );
        }, timeoutMs);
        const check = () => {
          const match =
            stderr.slice(after.stderr).match(pattern) ?? stdout.slice(after.stdout).match(pattern);
          if (!match && exitCode === undefined) return;
          watchers.delete(check);
          clearTimeout(timer);
          if (match) resolve({ match, at: now() });
          else
            reject(
              new Error(`${name} exited (${exitCode}) before ${pattern}:\n${stdout}${stderr}`),
            );
        };
        watchers.add(check);
        check();
      });
    },
    async stop(signal = "SIGINT") {
      if (exitCode === undefined) child.kill(signal);
      return exited;
    },
  };
}

/** Resident memory of a live process in bytes, from /proc/<pid>/status. */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb) * 1024;
}

/** The soft limit on open files of a live process, from /proc/<pid>/limits. */
export function fileLimitOf(pid: number): number {
  const limits = readFileSync(`/proc/${pid}/limits`, "utf8");
  const soft = /^Max open files\s+(\d+|unlimited)/m.exec(limits)?.[1];
  if (soft === undefined) throw new Error(`no open-file limit for pid ${pid}`);
  return soft === "unlimited" ? Number.POSITIVE_INFINITY : Number(soft);
}
