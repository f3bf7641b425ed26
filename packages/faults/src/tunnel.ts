/**
 * The reverse tunnel under test, as users run it: the built multi-server on
 * `pub`, the built multi-client and its target on `lan`, default flags except
 * the addresses and a token (so the v2 protocol, where fixes can land).
 */
import { binPath, logLine } from "@fwd/testkit";
import { AgentClient } from "./agent-client.js";
import { run } from "./command.js";
import { fileLimitOf, type NsProcess, rssOf } from "./ns-process.js";
import { agentScript } from "./paths.js";
import { ADDRESSES, type HomeNat, type Host } from "./topology.js";

export const SERVER_PORT = 33333;
export const PUBLIC_PORT = 10086;
export const TARGET_PORT = 7000;
const TOKEN = "fault-tests-token";

/** A process and the moment its start line arrived. */
export interface Started {
  process: NsProcess;
  at: number;
}

/** multi-server on pub; resolves once it prints its listening line. */
export async function startServer(nat: HomeNat, extra: readonly string[] = []): Promise<Started> {
  const server = nat.startNode("pub", "multi-server", binPath("multi-server"), [
    "--bind_host",
    ADDRESSES.pub,
    "--bind_port",
    String(SERVER_PORT),
    "--token",
    TOKEN,
    ...extra,
  ]);
  const seen = await server.waitFor(logLine("multi-server", "listening on "));
  return { process: server, at: seen.at };
}

/** multi-client on lan; resolves once it prints its start line (before it registers). */
export async function startClient(nat: HomeNat, extra: readonly string[] = []): Promise<Started> {
  const client = nat.startNode("lan", "multi-client", binPath("multi-client"), [
    "--server_host",
    ADDRESSES.pub,
    "--server_port",
    String(SERVER_PORT),
    "--target_host",
    "127.0.0.1",
    "--target_port",
    String(TARGET_PORT),
    "--server_target_port",
    String(PUBLIC_PORT),
    "--unique_id",
    "home-pc",
    "--token",
    TOKEN,
    ...extra,
  ]);
  const seen = await client.waitFor(logLine("multi-client", "connecting to server "));
  return { process: client, at: seen.at };
}

/** Waits for the client's "registered" line (printed once per change of state). */
export function registered(client: NsProcess, timeoutMs = 10_000) {
  return client.waitFor(logLine("multi-client", "registered with server "), { timeoutMs });
}

/** The target service (echo, or a stream on request) on `host`. */
export async function startTarget(
  nat: HomeNat,
  host: Host = "lan",
  bindHost = "127.0.0.1",
): Promise<Started> {
  const target = nat.startNode(host, "target", agentScript("target"), [
    "--host",
    bindHost,
    "--port",
    String(TARGET_PORT),
  ]);
  const seen = await target.waitFor(/^target: listening on /m);
  return { process: target, at: seen.at };
}

/** An agent (visitor or attacker) on `host`, ready for calls. */
export async function startAgent(nat: HomeNat, host: Host): Promise<AgentClient> {
  const agent = nat.startNode(host, "agent", agentScript("agent"), [], { stdin: true });
  await agent.waitFor(/^agent: ready$/m);
  return new AgentClient(agent);
}

/** Makes sure a process may open `files` files: prlimit raises both limits if not (root may). */
export async function ensureFileLimit(pid: number, files: number): Promise<void> {
  if (fileLimitOf(pid) >= files) return;
  await run("prlimit", ["--pid", String(pid), `--nofile=${files}:${files}`]);
  if (fileLimitOf(pid) < files) throw new Error(`could not raise the open-file limit of ${pid}`);
}

/** Resident memory of a process, in MB. */
export function rssMb(started: Started): number {
  return rssOf(started.process.pid) / (1024 * 1024);
}
