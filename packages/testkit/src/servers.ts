import { createHash } from "node:crypto";
import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";

/** A loopback server a test owns: its port and a close() that awaits every socket. */
export interface TestServer {
  host: string;
  port: number;
  server: Server;
  /** Sockets accepted so far and still open. */
  sockets: Set<Socket>;
  close(): Promise<void>;
}

/** Starts a server on port 0 on loopback (IPv4 unless `host` says otherwise). */
export async function startServer(
  onConnection: (socket: Socket) => void,
  host = "127.0.0.1",
): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => {}); // tests assert on what arrives, not on resets
    onConnection(socket);
  });
  server.listen(0, host);
  await once(server, "listening");
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no address");
  return {
    host,
    port: address.port,
    server,
    sockets,
    async close() {
      const closed = [...sockets].map((socket) => once(socket, "close"));
      for (const socket of sockets) socket.destroy();
      await Promise.all([new Promise((resolve) => server.close(resolve)), ...closed]);
    },
  };
}

/** Echoes every byte back; ends its side when the peer ends (half-close aware). */
export function startEchoServer(host?: string): Promise<TestServer> {
  return startServer((socket) => {
    socket.pipe(socket);
  }, host);
}

/** What a sink server received on one connection. */
export interface Received {
  bytes: number;
  sha256: string;
}

/**
 * Reads each connection to its end, then replies with one line
 * `<bytes> <sha256>\n` and ends: a request, a FIN, then a reply.
 */
export function startDigestServer(host?: string): Promise<TestServer> {
  return startServer((socket) => {
    const hash = createHash("sha256");
    let bytes = 0;
    socket.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      hash.update(chunk);
    });
    socket.on("end", () => socket.end(`${bytes} ${hash.digest("hex")}\n`));
  }, host);
}

/**
 * Sends `data` to every connection, with backpressure, then ends: a download
 * a test can hold open by not reading (and check by its SHA-256).
 */
export function startDownloadServer(data: Buffer, host?: string): Promise<TestServer> {
  return startServer((socket) => {
    socket.resume(); // whatever the client sends is not our business
    const chunk = 64 * 1024;
    let offset = 0;
    const writeMore = () => {
      while (offset < data.length) {
        const part = data.subarray(offset, offset + chunk);
        offset += part.length;
        if (!socket.write(part)) {
          socket.once("drain", writeMore);
          return;
        }
      }
      socket.end();
    };
    writeMore();
  }, host);
}
