/**
 * Bulk throughput with the bench's own sender: `streams` connections to the
 * sink push `bytes` in total; the clock stops when the sink has acknowledged
 * the last byte of every stream. The only throughput figure that also passes
 * the legacy relay (it serves one connection at a time and cannot carry iperf3's
 * control connection beside its data connection).
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { sinkHeader } from "../processes/sink-protocol.ts";
import { close, open, receive, send } from "./socket.ts";

export interface StreamArgs {
  port: number;
  bytes: number;
  streams: number;
}

export interface StreamResult {
  bytes: number;
  seconds: number;
  mbPerSecond: number;
}

const chunk = randomBytes(1024 * 1024);

async function one(port: number, bytes: number): Promise<void> {
  const socket = await open(port);
  try {
    const acked = receive(socket, 1);
    acked.catch(() => {}); // observed below; a failed send must not leave it unhandled
    socket.write(sinkHeader(bytes));
    await send(socket, chunk, bytes);
    await acked;
  } finally {
    await close(socket);
  }
}

export async function stream({ port, bytes, streams }: StreamArgs): Promise<StreamResult> {
  const each = Math.floor(bytes / streams);
  const started = performance.now();
  await Promise.all(Array.from({ length: streams }, () => one(port, each)));
  const seconds = (performance.now() - started) / 1000;
  const total = each * streams;
  return { bytes: total, seconds, mbPerSecond: total / 1e6 / seconds };
}
