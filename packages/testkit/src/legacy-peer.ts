import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./free-port.js";
import { type RunningProcess, startNode, startProcess } from "./processes.js";

const testkitDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = resolve(testkitDir, "..", "..");

/** The project's own legacy peer: plain Node.js, in every clone. */
export const inRepoLegacyPeerPath = join(testkitDir, "legacy-peer", "legacy-peer.mjs");

/**
 * The python stand-in the in-repo peer is checked against, kept beside the
 * repository in ../shared; FWD_REFERENCE_LEGACY_PEER overrides the path.
 */
export const referenceLegacyPeerPath =
  process.env.FWD_REFERENCE_LEGACY_PEER ||
  join(repoRoot, "..", "shared", "legacy-peer", "uvm_peer.py");

/**
 * The peer the interop tests talk to: the in-repo one, unless
 * FWD_LEGACY_PEER names another script (a .py one runs with python3).
 */
export const legacyPeerPath = process.env.FWD_LEGACY_PEER || inRepoLegacyPeerPath;

/** CI sets FWD_REQUIRE_LEGACY_PEER=1: a reference peer that cannot run is a failure there. */
export const legacyPeerRequired = !["", "0", undefined].includes(
  process.env.FWD_REQUIRE_LEGACY_PEER,
);

let python3: boolean | undefined;
function hasPython3(): boolean {
  python3 ??= spawnSync("python3", ["--version"], { stdio: "ignore" }).status === 0;
  return python3;
}

/** Why the reference peer cannot run here (python3 or the script missing), or undefined. */
export function referenceLegacyPeerMissing(): string | undefined {
  const missing = [];
  if (!hasPython3()) missing.push("python3 is not installed");
  if (!existsSync(referenceLegacyPeerPath)) missing.push(`${referenceLegacyPeerPath} is missing`);
  return missing.length > 0 ? missing.join(" and ") : undefined;
}

export type LegacyMode = "user-server" | "user-client" | "multi-server" | "multi-client";

/** A legacy peer that is up; `port` is where a listening mode listens (0 for multi-client). */
export interface LegacyPeer extends RunningProcess {
  port: number;
}

/**
 * Starts a legacy peer in `mode` with legacy flags (`{ server_port: 1234 }`
 * becomes `--server_port 1234`); `script` picks the peer (default
 * legacyPeerPath). Listening modes bind 127.0.0.1 and are awaited until
 * their start line `<mode> listening HOST:PORT`, which gives the port.
 */
export async function startLegacyPeer(
  mode: LegacyMode,
  flags: Record<string, string | number>,
  { script = legacyPeerPath }: { script?: string } = {},
): Promise<LegacyPeer> {
  if (!existsSync(script)) throw new Error(`the legacy peer ${script} is missing`);
  const python = script.endsWith(".py");
  const listens = mode !== "multi-client";
  // The in-repo peer binds port 0 and prints the real port. The python one
  // prints the port it was given, so it alone gets a probed free port.
  const bindPort = listens && python ? await freePort() : 0;
  const all = listens ? { bind_host: "127.0.0.1", bind_port: bindPort, ...flags } : flags;
  const args = [mode, ...Object.entries(all).flatMap(([name, value]) => [`--${name}`, `${value}`])];
  const peer = python ? startProcess("python3", ["-u", script, ...args]) : startNode(script, args);
  if (!listens) return Object.assign(peer, { port: 0 });
  try {
    const [, port] = await peer.waitFor(
      new RegExp(`^${mode} listening (?:\\[[^\\]]+\\]|[^\\s:]+):(\\d+)$`, "m"),
    );
    return Object.assign(peer, { port: Number(port) });
  } catch (err) {
    await peer.stop("SIGKILL");
    throw err;
  }
}
