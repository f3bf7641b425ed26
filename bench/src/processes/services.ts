/**
 * The target services, in a process of their own (forked by the bench):
 *
 * - echo: sends every byte back (round trips, connection rate, idle memory);
 * - sink: reads a length-prefixed stream and answers one byte once all of it
 *   arrived, so a sender can time a transfer without ever sending a FIN (the
 *   legacy relay closes both ways on the first EOF and drops what is in flight);
 * - stall: reads the first MiB of each connection, then stops reading for good
 *   (the stopped reader of the memory test).
 */
import type { Socket } from "node:net";
import { startServer } from "@fwd/testkit";
import { serve } from "../child/rpc.ts";
import { type ServicePorts, SINK_HEADER_BYTES } from "./sink-protocol.ts";

const STALL_AFTER_BYTES = 1024 * 1024;

function echo(socket: Socket): void {
  // Without TCP_NODELAY the echo itself would meet Nagle and delayed ACKs, and
  // "direct" would stall on 64 KiB messages: that is not what we measure.
  socket.setNoDelay(true);
  socket.pipe(socket);
}

function sink(socket: Socket): void {
  socket.setNoDelay(true);
  let header = Buffer.alloc(0);
  let expected = -1;
  let received = 0;
  socket.on("data", (chunk: Buffer) => {
    if (expected < 0) {
      header = Buffer.concat([header, chunk]);
      if (header.length < SINK_HEADER_BYTES) return;
      expected = Number(header.readBigUInt64BE(0));
      received = header.length - SINK_HEADER_BYTES;
    } else {
      received += chunk.length;
    }
    if (received >= expected && expected >= 0) {
      expected = Number.POSITIVE_INFINITY; // answer once
      socket.write("!");
    }
  });
  // The server allows half-open sockets: without this a sender's FIN would
  // leave the connection open on this side, and a forwarder stopping after the
  // test would wait for it (a 3-s kill in every repetition).
  socket.on("end", () => socket.end());
}

function stall(socket: Socket): void {
  let received = 0;
  const onData = (chunk: Buffer) => {
    received += chunk.length;
    if (received >= STALL_AFTER_BYTES) {
      socket.off("data", onData);
      socket.pause(); // from here on the kernel buffers fill and backpressure reaches the forwarder
    }
  };
  socket.on("data", onData);
}

const [echoServer, sinkServer, stallServer] = await Promise.all([
  startServer(echo),
  startServer(sink),
  startServer(stall),
]);

serve({}, {
  echo: echoServer.port,
  sink: sinkServer.port,
  stall: stallServer.port,
} satisfies ServicePorts);
