/** Socket helpers shared by the load tasks. */
import { once } from "node:events";
import type { Socket } from "node:net";
import { connectTo, drainedOrClosed } from "@fwd/testkit";

/** Connects with TCP_NODELAY, as every forwarder under test sets it on its own sockets. */
export async function open(port: number): Promise<Socket> {
  const socket = await connectTo(port);
  socket.setNoDelay(true);
  return socket;
}

/** Resolves once `bytes` more bytes arrived; rejects if the socket closes or fails first. */
export function receive(socket: Socket, bytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let received = 0;
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received >= bytes) {
        cleanup();
        resolve();
      }
    };
    const onClose = () => {
      cleanup();
      reject(new Error(`closed after ${received} of ${bytes} bytes`));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      socket.off("data", onData);
      socket.off("close", onClose);
      socket.off("error", onError);
    };
    socket.on("data", onData);
    socket.once("close", onClose);
    socket.once("error", onError);
  });
}

/** Writes `total` bytes out of a reused chunk, waiting for drain (no FIN). */
export async function send(socket: Socket, chunk: Buffer, total: number): Promise<void> {
  let left = total;
  while (left > 0) {
    const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
    left -= piece.length;
    if (!socket.write(piece)) {
      await drainedOrClosed(socket);
      if (socket.destroyed) throw new Error("socket closed while sending");
    }
  }
}

/** Destroys a socket and waits until it is closed, so ports and fds are really free. */
export async function close(socket: Socket): Promise<void> {
  socket.destroy();
  if (!socket.closed) await once(socket, "close");
}

/** Percentile by nearest rank of ascending `sorted` values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
