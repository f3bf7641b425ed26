/**
 * The target service behind the tunnel: echoes every connection, except one
 * whose first line is "stream", which gets an endless stream of bytes (with
 * backpressure) until either side goes away. Logs each connection's peer.
 *
 *   target --host 127.0.0.1 --port 7000
 */
import { randomBytes } from "node:crypto";
import { createServer, type Socket } from "node:net";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "0" },
  },
});

const STREAM = Buffer.from("stream\n", "latin1");
const CHUNK = randomBytes(64 * 1024);

function stream(socket: Socket): void {
  const more = () => {
    while (!socket.destroyed && socket.write(CHUNK)) {
      // the kernel took it: write on until it pushes back
    }
  };
  socket.on("drain", more);
  socket.resume(); // ignore whatever else the visitor sends
  more();
}

const server = createServer({ allowHalfOpen: true }, (socket) => {
  socket.on("error", () => {}); // a visitor's reset is its business
  process.stdout.write(`target: connection from ${socket.remoteAddress}:${socket.remotePort}\n`);
  socket.once("data", (first: Buffer) => {
    if (first.subarray(0, STREAM.length).equals(STREAM)) {
      stream(socket);
      return;
    }
    socket.write(first);
    socket.pipe(socket);
  });
  socket.once("end", () => {
    if (!socket.writableEnded) socket.end();
  });
});

server.listen(Number(values.port), values.host, () => {
  const address = server.address();
  if (address && typeof address !== "string") {
    process.stderr.write(`target: listening on ${address.address}:${address.port}\n`);
  }
});
