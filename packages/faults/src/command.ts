import { execFile, execFileSync } from "node:child_process";

/** A system tool failed: says which command and what it printed. */
export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly stderr: string,
    options?: ErrorOptions,
  ) {
    super(`${command} failed: ${stderr.trim() || String(options?.cause)}`, options);
  }
}

/** Runs `file args` (no shell) and resolves with its stdout; rejects with a CommandError. */
export function run(file: string, args: readonly string[], timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, [...args], { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) reject(new CommandError([file, ...args].join(" "), stderr, { cause: error }));
      else resolve(stdout);
    });
  });
}

/** The synchronous twin, for the exit handler (no event loop left to await on). */
export function runSync(file: string, args: readonly string[]): string {
  return execFileSync(file, [...args], {
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 5000,
  }).toString("utf8");
}
