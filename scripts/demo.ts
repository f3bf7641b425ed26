/**
 * pnpm demo: starts a target service on loopback, runs every fwd mode in
 * front of it as real processes through the real bins, sends traffic through
 * each and prints one line per mode. Exits 1 if any mode failed.
 */
import { performance } from "node:perf_hooks";
import {
  connectTo,
  payload,
  readAll,
  sha256,
  startDigestServer,
  startEchoServer,
  type TestServer,
  writeAll,
} from "@fwd/testkit";
import { type Mode, modes } from "./demo-modes.ts";

const BULK_BYTES = 32 * 1024 * 1024;
const ROUND_TRIPS = 200;

interface Result {
  bytes: number;
  mbPerSecond: number;
  rttMedianUs: number;
}

/** One-way bulk through the digest service: throughput and an integrity check. */
async function bulk(port: number): Promise<{ bytes: number; mbPerSecond: number }> {
  const data = payload(BULK_BYTES);
  const socket = await connectTo(port);
  const started = performance.now();
  const [reply] = await Promise.all([readAll(socket), writeAll(socket, data)]);
  const seconds = (performance.now() - started) / 1000;
  socket.destroy();
  if (reply.toString() !== `${data.length} ${sha256(data)}\n`) {
    throw new Error(
      `bulk transfer corrupted: got ${JSON.stringify(reply.toString().slice(0, 80))}`,
    );
  }
  return { bytes: data.length, mbPerSecond: data.length / 1e6 / seconds };
}

/** Sequential 64-byte round trips through the echo service: median latency. */
async function latency(port: number): Promise<number> {
  const socket = await connectTo(port);
  const message = payload(64);
  const samples: number[] = [];
  let received = 0;
  let wake: (() => void) | undefined;
  socket.on("data", (chunk: Buffer) => {
    received += chunk.length;
    wake?.();
  });
  const failed = new Promise<never>((_, reject) => {
    socket.once("error", reject);
    socket.once("end", () => reject(new Error("the echo connection ended early")));
  });
  for (let i = 1; i <= ROUND_TRIPS; i++) {
    const started = performance.now();
    socket.write(message);
    while (received < i * message.length) {
      await Promise.race([new Promise<void>((resolve) => (wake = resolve)), failed]);
    }
    samples.push((performance.now() - started) * 1000);
  }
  socket.destroy();
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

async function measure(mode: Mode, echo: TestServer, digest: TestServer): Promise<Result> {
  const ports = await mode.start({ echo, digest });
  try {
    const { bytes, mbPerSecond } = await bulk(ports.digest);
    const rttMedianUs = await latency(ports.echo);
    return { bytes, mbPerSecond, rttMedianUs };
  } finally {
    await ports.stop();
  }
}

async function main(): Promise<number> {
  const echo = await startEchoServer();
  const digest = await startDigestServer();
  console.log(
    `fwd demo: echo service on 127.0.0.1:${echo.port}, digest service on 127.0.0.1:${digest.port}\n`,
  );
  console.log(
    `${"mode".padEnd(34)}${"result".padEnd(8)}${"bytes".padStart(10)}${"throughput".padStart(14)}${"rtt p50".padStart(12)}`,
  );
  let failed = 0;
  for (const mode of modes) {
    try {
      const result = await measure(mode, echo, digest);
      console.log(
        `${mode.name.padEnd(34)}${"ok".padEnd(8)}${`${(result.bytes / 1e6).toFixed(1)} MB`.padStart(10)}` +
          `${`${result.mbPerSecond.toFixed(0)} MB/s`.padStart(14)}${`${result.rttMedianUs.toFixed(0)} µs`.padStart(12)}`,
      );
    } catch (err) {
      failed++;
      console.log(`${mode.name.padEnd(34)}${"FAILED".padEnd(8)}${(err as Error).message}`);
    }
  }
  await Promise.all([echo.close(), digest.close()]);
  console.log(failed === 0 ? "\nall modes ok" : `\n${failed} mode(s) failed`);
  console.log(
    "(the client and both services share this process, so 'direct' never leaves it: " +
      "pnpm bench compares the modes fairly, side by side with socat and haproxy)",
  );
  return failed === 0 ? 0 : 1;
}

process.exit(await main());
