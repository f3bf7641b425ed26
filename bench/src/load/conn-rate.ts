/**
 * Connection rate: `inflight` loops each connect, send one byte, wait for its
 * echo and close, until `total` connections completed or `timeMs` passed.
 * The client closes first, so the TIME_WAIT states stay on the client side
 * (as with real clients) and the forwarder sees a plain EOF.
 */
import { performance } from "node:perf_hooks";
import { close, open, receive } from "./socket.ts";

export interface ConnRateArgs {
  port: number;
  total: number;
  inflight: number;
  timeMs: number;
}

export interface ConnRateResult {
  completed: number;
  failed: number;
  seconds: number;
  perSecond: number;
  firstError?: string;
}

const ONE_BYTE = Buffer.from("x");

export async function connRate({
  port,
  total,
  inflight,
  timeMs,
}: ConnRateArgs): Promise<ConnRateResult> {
  const started = performance.now();
  const deadline = started + timeMs;
  let launched = 0;
  let completed = 0;
  let failed = 0;
  let firstError: string | undefined;
  const loop = async () => {
    while (launched < total && performance.now() < deadline) {
      launched++;
      try {
        const socket = await open(port);
        try {
          const echoed = receive(socket, 1);
          socket.write(ONE_BYTE);
          await echoed;
          completed++;
        } finally {
          await close(socket);
        }
      } catch (err) {
        failed++;
        firstError ??= (err as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: inflight }, loop));
  const seconds = (performance.now() - started) / 1000;
  const result: ConnRateResult = { completed, failed, seconds, perSecond: completed / seconds };
  if (firstError) result.firstError = firstError;
  return result;
}
