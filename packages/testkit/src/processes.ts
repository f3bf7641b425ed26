import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";

/** A program a test started: its output so far, and ways to wait on it. */
export interface RunningProcess {
  child: ChildProcess;
  /** Everything written to stderr so far. */
  stderr(): string;
  stdout(): string;
  /** Resolves with the first stderr/stdout match of `pattern`; rejects if the process exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends `signal` (default SIGINT) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Starts `command args` with pipes for stdout and stderr. */
export function startProcess(
  command: string,
  args: readonly string[],
  options: StartOptions = {},
): RunningProcess {
  const child = spawn(command, [...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  let stdout = "";
  let exitCode: number | null | undefined;
  const watchers = new Set<() => void>();
  const notify = () => {
    for (const watcher of watchers) watcher();
  };
  child.stderr?.setEncoding("utf8").on("data", (text: string) => {
    stderr += text;
    notify();
  });
  child.stdout?.setEncoding("utf8").on("data", (text: string) => {
    stdout += text;
    notify();
  });
  const exited = once(child, "close").then(([code]) => {
    exitCode = code as number | null;
    notify();
    return exitCode;
  });
  return {
    child,
    exited,
    stderr: () => stderr,
    stdout: () => stdout,
    waitFor(pattern, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          watchers.delete(check);
          reject(new Error(`timed out waiting for ${pattern}; output so far:\n${stdout}${stderr}`));
        }, timeoutMs);
        const check = () => {
          const match = stderr.match(pattern) ?? stdout.match(pattern);
          if (match || exitCode !== undefined) {
            watchers.delete(check);
            clearTimeout(timer);
            if (match) resolve(match);
            else reject(new Error(`exited (${exitCode}) before ${pattern}:\n${stdout}${stderr}`));
          }
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

/** Runs `node <script> args` as a child process. */
export function startNode(
  script: string,
  args: readonly string[],
  options?: StartOptions,
): RunningProcess {
  return startProcess(process.execPath, [script, ...args], options);
}
