import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import type { GarbageOptions, GarbageReport } from "./protocol.js";

/**
 * Starts of frames a parser might take seriously, then random bytes: a v2
 * header, a legacy "<UVM>" frame, an HTTP request, or nothing at all.
 */
const PREFIXES = [
  Buffer.alloc(0),
  Buffer.from([0x46, 0x57, 0x44, 0x02]), // "FWD" version 2
  Buffer.from("<UVM>", "latin1"),
  Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n", "latin1"),
];

/** Connections that each send garbage, then wait (bounded) to see what the server does. */
export async function garbage(options: GarbageOptions): Promise<GarbageReport> {
  const report: GarbageReport = { connected: 0, failed: 0, closedByPeer: 0, bytesBack: 0 };
  let next = 0;
  const worker = async () => {
    while (next < options.connections) {
      const prefix = PREFIXES[next % PREFIXES.length]!;
      next++;
      await sendGarbage(options, Buffer.concat([prefix, randomBytes(options.bytes)]), report);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return report;
}

function sendGarbage(options: GarbageOptions, data: Buffer, report: GarbageReport): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ host: options.host, port: options.port });
    let connected = false;
    let closedByUs = false;
    let linger: NodeJS.Timeout | undefined;
    socket.on("error", () => {});
    socket.on("data", (chunk: Buffer) => {
      report.bytesBack += chunk.length;
    });
    socket.once("connect", () => {
      connected = true;
      report.connected++;
      socket.write(data);
      linger = setTimeout(() => {
        closedByUs = true;
        socket.destroy();
      }, options.lingerMs);
    });
    socket.once("end", () => socket.destroy()); // the server closed on the garbage
    socket.once("close", () => {
      clearTimeout(linger);
      if (!connected) report.failed++;
      else if (!closedByUs) report.closedByPeer++;
      resolve();
    });
  });
}
