import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type RunningProcess, type StartOptions, startNode } from "./processes.js";

const packagesDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The built bin of a workspace package, e.g. binPath("tcp-forwarding"). */
export function binPath(pkg: string, bin: string = pkg): string {
  const path = join(packagesDir, pkg, "dist", "bin", `${bin}.js`);
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: run "pnpm build" first (pnpm test does)`);
  }
  return path;
}

/** How every line of a bin starts: local time and level ("2026-11-29 18:15:02.123 info  "). */
export const LOG_PREFIX = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} (?:error|warn |info |debug) `;

type Level = "error" | "warn" | "info" | "debug";

function linePattern(
  program: string,
  message: string,
  options: { level?: Level; tunnel?: string },
): RegExp {
  const time = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}`;
  const level = options.level ? `${options.level.padEnd(5)} ` : "(?:error|warn |info |debug) ";
  const tunnel =
    options.tunnel === undefined
      ? String.raw`(?:\[[^\]]+\])?`
      : String.raw`\[${escapeRegExp(options.tunnel)}\]`;
  return new RegExp(`^${time} ${level}${program}${tunnel}: ${message}`, "m");
}

/**
 * A log line of `program` (about `tunnel`; without it, about any tunnel or
 * none) whose message matches `message` (a regular expression's source),
 * at `level` if given: what tests wait for instead of anchoring on "name: ".
 */
export function logLine(
  program: string,
  message: string,
  options: { level?: Level; tunnel?: string } = {},
): RegExp {
  return linePattern(escapeRegExp(program), message, options);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const ADDRESS = String.raw`(?:\[([^\]]+)\]|([^\s:]+)):(\d+)`;

/** A bin that is up: the process, and the address from its "listening on" line. */
export interface ListeningBin extends RunningProcess {
  host: string;
  port: number;
}

/**
 * The port tunnel `tunnel` of a running bin listens on, from its start
 * line: the latest one written (a reload that restarts a tunnel writes another).
 */
export async function tunnelPort(
  running: RunningProcess,
  program: string,
  tunnel: string,
): Promise<number> {
  const line = logLine(program, `listening on ${ADDRESS}`, { level: "info", tunnel });
  await running.waitFor(line);
  const all = [...running.stderr().matchAll(new RegExp(line.source, "gm"))];
  return Number(all.at(-1)![3]);
}

/** Starts a bin and waits for its start line `listening on HOST:PORT`. */
export async function startListeningBin(
  script: string,
  args: readonly string[],
  options?: StartOptions,
): Promise<ListeningBin> {
  const running = startNode(script, args, options);
  try {
    // The bin's own start line ("… info  name: listening on …"), not a debug line that says the same.
    const [, v6, host, port] = await running.waitFor(
      linePattern(String.raw`[\w-]+`, `listening on ${ADDRESS}`, { level: "info" }),
    );
    return Object.assign(running, { host: (v6 ?? host)!, port: Number(port) });
  } catch (err) {
    await running.stop("SIGKILL");
    throw err;
  }
}
