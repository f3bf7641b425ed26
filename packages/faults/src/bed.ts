/**
 * The reverse tunnel set up on the home NAT, as each fault test starts:
 * target and multi-client at home, multi-server in public, a visitor on the
 * internet, and one visitor served to show it all works before any fault.
 */
import type { AgentClient } from "./agent-client.js";
import type { Outcome, VisitOptions, VisitResult } from "./agents/protocol.js";
import { ADDRESSES, HomeNat } from "./topology.js";
import {
  PUBLIC_PORT,
  registered,
  type Started,
  startAgent,
  startClient,
  startServer,
  startTarget,
} from "./tunnel.js";

export interface TunnelBed {
  nat: HomeNat;
  target: Started;
  server: Started;
  client: Started;
  visitor: AgentClient;
}

/** Builds the topology and starts the tunnel; removes it all again if any step fails. */
export async function startTunnelBed(): Promise<TunnelBed> {
  const nat = await HomeNat.build();
  try {
    const target = await startTarget(nat);
    const server = await startServer(nat);
    const visitor = await startAgent(nat, "vis");
    const client = await startClient(nat);
    await registered(client.process);
    await expectServed(visitor, "the tunnel before any fault");
    return { nat, target, server, client, visitor };
  } catch (err) {
    await nat.destroy();
    throw err;
  }
}

/** A visitor to the public port (host and port filled in). */
export function visitPublic(
  visitor: AgentClient,
  options: Omit<VisitOptions, "host" | "port"> = {},
): Promise<VisitResult> {
  return visitor.call("visit", { host: ADDRESSES.pub, port: PUBLIC_PORT, ...options });
}

/** Outcomes meaning "not serving yet" rather than "served wrong": a visitor may try again. */
export const NOT_YET: Outcome[] = ["refused", "closed", "reset"];

/** Visits until served (bounded); throws with what happened instead. */
export async function expectServed(
  visitor: AgentClient,
  what: string,
  deadlineMs = 10_000,
): Promise<VisitResult> {
  const result = await visitPublic(visitor, {
    retryOn: NOT_YET,
    deadlineMs,
    attemptTimeoutMs: deadlineMs,
  });
  if (result.outcome !== "served") {
    throw new Error(
      `${what}: no visitor served within ${deadlineMs} ms (${describeVisit(result)})`,
    );
  }
  return result;
}

/** "3 attempts: 2 refused, 1 served" */
export function describeVisit(result: VisitResult): string {
  const counts = Object.entries(result.counts)
    .map(([outcome, n]) => `${n} ${outcome}`)
    .join(", ");
  return `${result.attempts} attempt${result.attempts === 1 ? "" : "s"}: ${counts}`;
}

/** The last lines a process wrote to stderr, for failure messages. */
export function stderrTail(started: Started, lines = 6): string {
  const tail = started.process.stderr().trimEnd().split("\n").slice(-lines);
  return `${started.process.name} said:\n  ${tail.join("\n  ")}`;
}
