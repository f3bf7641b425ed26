/**
 * Idle connections for the memory test: opens `count` connections to the echo
 * service through the forwarder, moves `bytesEachWay` through each (sent, then
 * echoed back in full) and keeps them open and silent until release().
 * This process holds only the client ends; the forwarder and the echo service
 * hold theirs in their own processes (each stays under the fd limit).
 */
import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { close, open, receive, send } from "./socket.ts";

export interface HoldArgs {
  port: number;
  count: number;
  bytesEachWay: number;
  /** Connections being opened and filled at once. */
  inflight: number;
  timeMs: number;
}

export interface HoldResult {
  open: number;
  failed: number;
  seconds: number;
  firstError?: string;
}

const held: Socket[] = [];
const chunk = Buffer.alloc(64 * 1024, 0x5a);

export async function hold({
  port,
  count,
  bytesEachWay,
  inflight,
  timeMs,
}: HoldArgs): Promise<HoldResult> {
  const started = performance.now();
  const deadline = started + timeMs;
  let launched = 0;
  let failed = 0;
  let firstError: string | undefined;
  const loop = async () => {
    while (launched < count && performance.now() < deadline) {
      launched++;
      let socket: Socket | undefined;
      try {
        socket = await open(port);
        const echoed = receive(socket, bytesEachWay);
        echoed.catch(() => {}); // awaited below
        await send(socket, chunk, bytesEachWay);
        await echoed;
        held.push(socket);
      } catch (err) {
        failed++;
        firstError ??= (err as Error).message;
        if (socket) await close(socket);
      }
    }
  };
  await Promise.all(Array.from({ length: inflight }, loop));
  const result: HoldResult = {
    open: held.filter((socket) => !socket.destroyed).length,
    failed,
    seconds: (performance.now() - started) / 1000,
  };
  if (firstError) result.firstError = firstError;
  return result;
}

/** Closes every held connection. */
export async function release(): Promise<{ closed: number }> {
  const sockets = held.splice(0);
  await Promise.all(sockets.map(close));
  return { closed: sockets.length };
}
