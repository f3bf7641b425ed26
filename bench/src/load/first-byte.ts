/**
 * Time to first byte of a new connection, one connection at a time: from the
 * start of connect() to the first echoed byte. Through a tunnel this includes
 * every hop's connect and handshake (the multi pair also waits for a
 * registration to pair with), which is what a user feels when an SSH or RDP
 * session opens.
 */
import { performance } from "node:perf_hooks";
import { close, open, percentile, receive } from "./socket.ts";

export interface FirstByteArgs {
  port: number;
  count: number;
  timeMs: number;
}

export interface FirstByteResult {
  count: number;
  medianUs: number;
  p99Us: number;
}

export async function firstByte({ port, count, timeMs }: FirstByteArgs): Promise<FirstByteResult> {
  const samples: number[] = [];
  const deadline = performance.now() + timeMs;
  while (samples.length < count && performance.now() < deadline) {
    const started = performance.now();
    const socket = await open(port);
    try {
      const echoed = receive(socket, 1);
      socket.write("x");
      await echoed;
      samples.push((performance.now() - started) * 1000);
    } finally {
      await close(socket);
    }
  }
  if (samples.length === 0) throw new Error("no connection completed in time");
  samples.sort((a, b) => a - b);
  return {
    count: samples.length,
    medianUs: percentile(samples, 50),
    p99Us: percentile(samples, 99),
  };
}
