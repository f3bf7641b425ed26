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

/**
 * The environment for system tools: ip, iptables and conntrack live in
 * /usr/sbin, which a non-login PATH may lack.
 */
export function toolEnv(): NodeJS.ProcessEnv {
  const path = (process.env.PATH ?? "").split(":").filter(Boolean);
  for (const dir of ["/usr/sbin", "/sbin"]) if (!path.includes(dir)) path.push(dir);
  return { ...process.env, PATH: path.join(":") };
}

/** Runs `file args` (no shell) and resolves with its stdout; rejects with a CommandError. */
export function run(file: string, args: readonly string[], timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const options = { timeout: timeoutMs, env: toolEnv() };
    execFile(file, [...args], options, (error, stdout, stderr) => {
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
