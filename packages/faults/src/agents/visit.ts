import { connect, type Socket } from "node:net";
import { now, sleep } from "../clock.js";
import type { Attempt, Outcome, VisitOptions, VisitResult } from "./protocol.js";
import { roundTrip } from "./round-trip.js";

/** One visitor: connect, send, expect the echo; retried on the outcomes asked for, within bounds. */
export async function visit(options: VisitOptions): Promise<VisitResult> {
  const {
    bytes = 16 * 1024,
    attemptTimeoutMs = 10_000,
    retryOn = [],
    intervalMs = 25,
    maxAttempts = 1000,
  } = options;
  const startedAt = now();
  const deadline = startedAt + (options.deadlineMs ?? attemptTimeoutMs);
  const counts: Partial<Record<Outcome, number>> = {};
  for (let attempts = 1; ; attempts++) {
    const timeoutMs = Math.max(1, Math.min(attemptTimeoutMs, deadline - now()));
    const last = await visitOnce(options.host, options.port, bytes, timeoutMs);
    counts[last.outcome] = (counts[last.outcome] ?? 0) + 1;
    const again =
      retryOn.includes(last.outcome) && attempts < maxAttempts && now() + intervalMs < deadline;
    if (!again)
      return { outcome: last.outcome, startedAt, endedAt: last.endedAt, attempts, last, counts };
    await sleep(intervalMs);
  }
}

async function visitOnce(
  host: string,
  port: number,
  bytes: number,
  timeoutMs: number,
): Promise<Attempt> {
  const socket: Socket = connect({ host, port, allowHalfOpen: true, noDelay: true });
  try {
    return await roundTrip(socket, bytes, timeoutMs);
  } finally {
    await destroyed(socket);
  }
}

/** Destroys a socket and waits for its close (errors after this point are expected). */
export function destroyed(socket: Socket): Promise<void> {
  socket.on("error", () => {});
  if (socket.closed) return Promise.resolve();
  return new Promise((resolve) => {
    socket.once("close", () => resolve());
    socket.destroy();
  });
}
