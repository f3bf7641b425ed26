import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { connectTo, readAll, startServer, type TestServer } from "@fwd/testkit";

/** A server on 127.0.0.1 that sends `data` to each connection, then ends it. */
export function startSource(data: Buffer): Promise<TestServer> {
  return startServer((socket) => {
    socket.end(data);
  });
}

export function randomPayload(bytes: number): { data: Buffer; sha256: string } {
  const data = randomBytes(bytes);
  return { data, sha256: sha256(data) };
}

export function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Connects to 127.0.0.1:`port`, reads to the end and hashes what came. */
export async function download(port: number): Promise<{ bytes: number; sha256: string }> {
  const socket = await connectTo(port);
  try {
    socket.end(); // nothing to send: the half-close must travel without cutting the download
    const received = await readAll(socket);
    return { bytes: received.length, sha256: sha256(received) };
  } finally {
    socket.destroy();
    if (!socket.closed) await once(socket, "close");
  }
}
