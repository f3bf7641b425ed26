import { once } from "node:events";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type RunningProcess, startProcess } from "./processes.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/**
 * The stand-in legacy peer (python3, no dependencies), kept beside the
 * repository in ../shared. FWD_LEGACY_PEER overrides the path.
 */
export const legacyPeerPath =
  process.env.FWD_LEGACY_PEER ?? join(repoRoot, "..", "shared", "legacy-peer", "uvm_peer.py");

/**
 * Interop suites run when the peer is there. CI sets FWD_REQUIRE_LEGACY_PEER
 * so that a missing peer fails the run instead of skipping.
 */
export const legacyPeerAvailable = existsSync(legacyPeerPath);
if (!legacyPeerAvailable && process.env.FWD_REQUIRE_LEGACY_PEER) {
  throw new Error(`the legacy peer is required but missing at ${legacyPeerPath}`);
}

/** A port that was free a moment ago (the legacy peer cannot report a port-0 bind). */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  const server = createServer();
  server.listen(0, host);
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

export type LegacyMode = "user-server" | "user-client" | "multi-server" | "multi-client";

/**
 * Starts uvm_peer.py in `mode` with legacy flags. Listening modes get a free
 * port on 127.0.0.1 (returned as `port`) and are awaited until they listen.
 */
export async function startLegacyPeer(
  mode: LegacyMode,
  flags: Record<string, string | number>,
): Promise<RunningProcess & { port: number }> {
  const listens = mode !== "multi-client";
  const port = listens ? await freePort() : 0;
  const all: Record<string, string | number> = listens
    ? { bind_host: "127.0.0.1", bind_port: port, ...flags }
    : flags;
  const args = Object.entries(all).flatMap(([name, value]) => [`--${name}`, String(value)]);
  const peer = startProcess("python3", ["-u", legacyPeerPath, mode, ...args]);
  if (listens) {
    try {
      await peer.waitFor(/listening/);
    } catch (err) {
      await peer.stop("SIGKILL");
      throw err;
    }
  }
  return Object.assign(peer, { port: Number(all.bind_port ?? 0) });
}
