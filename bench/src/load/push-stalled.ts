/**
 * The stopped-reader test's sender: pushes into a connection whose far end
 * (the stall service) stopped reading after its first MiB, until the kernel
 * takes no more for `blockedMs`, `maxBytes` were accepted or `capMs` passed.
 * Whatever a forwarder buffers in user space on the way shows up in its RSS,
 * which the bench samples meanwhile.
 */
import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { close, open } from "./socket.ts";

export interface PushArgs {
  port: number;
  maxBytes: number;
  blockedMs: number;
  capMs: number;
}

export interface PushResult {
  /** Bytes the kernel accepted from this process (written minus still queued here). */
  accepted: number;
  seconds: number;
  stoppedBecause: "blocked" | "max bytes" | "time cap" | "closed";
}

const chunk = Buffer.alloc(1024 * 1024, 0xa5);
/** At most this much waits in this process's own queue: the sender itself stays small. */
const QUEUE_LIMIT = 4 * 1024 * 1024;
const TICK_MS = 20;

function accepted(socket: Socket): number {
  return socket.bytesWritten - socket.writableLength;
}

export async function pushStalled({
  port,
  maxBytes,
  blockedMs,
  capMs,
}: PushArgs): Promise<PushResult> {
  const socket = await open(port);
  socket.on("error", () => {}); // a reset ends the push; reported as "closed"
  const started = performance.now();
  let lastProgress = started;
  let lastAccepted = 0;
  let stoppedBecause: PushResult["stoppedBecause"] = "time cap";
  try {
    while (performance.now() - started < capMs) {
      if (socket.destroyed) {
        stoppedBecause = "closed";
        break;
      }
      while (socket.writableLength < QUEUE_LIMIT && socket.bytesWritten < maxBytes) {
        socket.write(chunk);
      }
      const now = accepted(socket);
      if (now >= maxBytes) {
        stoppedBecause = "max bytes";
        break;
      }
      if (now > lastAccepted) {
        lastAccepted = now;
        lastProgress = performance.now();
      } else if (performance.now() - lastProgress >= blockedMs) {
        stoppedBecause = "blocked";
        break;
      }
      await sleep(TICK_MS);
    }
    return {
      accepted: accepted(socket),
      seconds: (performance.now() - started) / 1000,
      stoppedBecause,
    };
  } finally {
    await close(socket);
  }
}
