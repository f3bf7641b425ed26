/** The services process (echo, sink, stall) as the bench sees it. */
import { fileURLToPath } from "node:url";
import { type Child, startChild } from "../child/rpc.ts";
import type { ServicePorts } from "../processes/sink-protocol.ts";

/** The services answer no calls: they only serve sockets. */
type NoTasks = Record<string, never>;

const script = fileURLToPath(new URL("../processes/services.ts", import.meta.url));

export async function startServices(): Promise<{ ports: ServicePorts; child: Child<NoTasks> }> {
  const child = await startChild<NoTasks>(script);
  return { ports: child.ready as ServicePorts, child };
}
