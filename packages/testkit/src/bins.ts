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

/** A bin that is up: the process, and the address from its "listening on" line. */
export interface ListeningBin extends RunningProcess {
  host: string;
  port: number;
}

/** Starts a bin and waits for its start line `listening on HOST:PORT`. */
export async function startListeningBin(
  script: string,
  args: readonly string[],
  options?: StartOptions,
): Promise<ListeningBin> {
  const running = startNode(script, args, options);
  try {
    // The bin's own start line ("name: listening on …"), not a DEBUG line that says the same.
    const [, v6, host, port] = await running.waitFor(
      /^[\w-]+: listening on (?:\[([^\]]+)\]|([^\s:]+)):(\d+)/m,
    );
    return Object.assign(running, { host: (v6 ?? host)!, port: Number(port) });
  } catch (err) {
    await running.stop("SIGKILL");
    throw err;
  }
}
