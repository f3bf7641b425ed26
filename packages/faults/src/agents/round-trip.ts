import { randomBytes } from "node:crypto";
import type { Socket } from "node:net";
import { now } from "../clock.js";
import type { Attempt, Outcome } from "./protocol.js";

/** What a socket error means to a visitor. */
export function outcomeOfError(err: NodeJS.ErrnoException): Outcome {
  switch (err.code) {
    case "ECONNREFUSED":
      return "refused";
    case "ECONNRESET":
    case "EPIPE":
      return "reset";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "ETIMEDOUT":
      return "unreachable";
    default:
      return "error";
  }
}

/**
 * Sends `bytes` random bytes on `socket` (once it connects) and waits until
 * the same bytes came back, the connection ends, fails, or `timeoutMs` passes.
 * Never sends a FIN: a served connection stays usable. Leaves no listener behind.
 */
export function roundTrip(socket: Socket, bytes: number, timeoutMs: number): Promise<Attempt> {
  const data = randomBytes(bytes);
  const startedAt = now();
  let connectedAt: number | undefined = socket.connecting ? undefined : startedAt;
  let received = 0;
  return new Promise((resolve) => {
    const finish = (outcome: Outcome, detail?: string) => {
      clearTimeout(timer);
      socket.off("connect", onConnect);
      socket.off("data", onData);
      socket.off("end", onEnd);
      socket.off("close", onClose);
      socket.off("error", onError);
      const attempt: Attempt = { outcome, startedAt, endedAt: now(), received };
      if (connectedAt !== undefined) attempt.connectedAt = connectedAt;
      if (detail !== undefined) attempt.detail = detail;
      resolve(attempt);
    };
    const onConnect = () => {
      connectedAt = now();
      socket.write(data);
    };
    const onData = (chunk: Buffer) => {
      if (!chunk.equals(data.subarray(received, received + chunk.length))) {
        finish("corrupt", `bytes ${received}..${received + chunk.length} differ`);
        return;
      }
      received += chunk.length;
      if (received === data.length) finish("served");
    };
    const onEnd = () => finish("closed", "end");
    const onClose = () => finish("closed", "close");
    const onError = (err: NodeJS.ErrnoException) => finish(outcomeOfError(err), err.code);
    const timer = setTimeout(() => finish("timeout"), timeoutMs);
    socket.on("data", onData);
    socket.once("end", onEnd);
    socket.once("close", onClose);
    socket.once("error", onError);
    if (socket.connecting) socket.once("connect", onConnect);
    else onConnect();
  });
}
