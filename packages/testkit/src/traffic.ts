import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { connect, type Socket } from "node:net";

export function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Random bytes: a payload no forwarder could get right by accident. */
export function payload(size: number): Buffer {
  return randomBytes(size);
}

/** Connects (half-open capable) and resolves once connected. */
export async function connectTo(port: number, host = "127.0.0.1"): Promise<Socket> {
  const socket = connect({ port, host, allowHalfOpen: true });
  await once(socket, "connect");
  return socket;
}

/** Writes everything with backpressure, then ends the write side. */
export async function writeAll(
  socket: Socket,
  data: Buffer,
  chunkSize = 256 * 1024,
): Promise<void> {
  for (let offset = 0; offset < data.length; offset += chunkSize) {
    if (!socket.write(data.subarray(offset, offset + chunkSize))) {
      await drainedOrClosed(socket);
      if (socket.destroyed) throw new Error("socket closed while writing");
    }
  }
  socket.end();
}

/** Resolves on 'drain' or 'close', whichever comes first, and leaves no listener behind. */
export function drainedOrClosed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off("drain", done);
      socket.off("close", done);
      resolve();
    };
    socket.on("drain", done);
    socket.on("close", done);
  });
}

/** Collects everything the socket sends until EOF; rejects if it errors first. */
export function readAll(socket: Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.once("end", () => resolve(Buffer.concat(chunks)));
    socket.once("error", reject);
    socket.once("close", () => resolve(Buffer.concat(chunks)));
  });
}

/**
 * Sends `data`, half-closes, and returns everything that comes back until the
 * peer ends: through an echo path that is `data` itself.
 */
export async function exchange(port: number, data: Buffer, host?: string): Promise<Buffer> {
  const socket = await connectTo(port, host);
  try {
    const [received] = await Promise.all([readAll(socket), writeAll(socket, data)]);
    return received;
  } finally {
    socket.destroy();
    if (!socket.closed) await once(socket, "close");
  }
}

/** Waits until `predicate` holds, checking on each event loop turn; fails after `timeoutMs`. */
export async function waitUntil(
  predicate: () => boolean,
  { timeoutMs = 5000, what = "condition" } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Sends `data` and reads until as many bytes came back, without ever sending
 * a FIN: the legacy relays close both ways on the first EOF, so traffic
 * through them must not rely on half-close.
 */
export async function echoWithoutEof(
  port: number,
  data: Buffer,
  connect: (port: number) => Promise<Socket> = connectTo,
): Promise<Buffer> {
  const socket = await connect(port);
  try {
    const received = new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let length = 0;
      socket.on("data", (chunk: Buffer) => {
        chunks.push(chunk);
        length += chunk.length;
        if (length >= data.length) resolve(Buffer.concat(chunks));
      });
      socket.once("error", reject);
      socket.once("close", () =>
        reject(new Error(`closed after ${length} of ${data.length} bytes`)),
      );
    });
    socket.write(data);
    return await received;
  } finally {
    socket.destroy();
    if (!socket.closed) await once(socket, "close");
  }
}

/**
 * Connects, retrying refused connections a bounded number of times: for
 * peers that open their port at a moment nothing announces (the legacy
 * multi-server reopens its public port after each registration).
 */
export async function connectWithRetry(
  port: number,
  { host = "127.0.0.1", attempts = 100, intervalMs = 20 } = {},
): Promise<Socket> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await connectTo(port, host);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ECONNREFUSED" || attempt >= attempts) throw err;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
