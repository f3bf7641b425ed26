import { connect } from "node:net";
import { now } from "../clock.js";
import type { DownloadEvent, DownloadOptions, DownloadResult } from "./protocol.js";
import { outcomeOfError } from "./round-trip.js";
import { destroyed } from "./visit.js";

/**
 * Asks the target for an endless stream ("stream\n") and reads it as fast as
 * it comes until the connection ends: the moment it ends is the figure.
 */
export async function download(
  options: DownloadOptions,
  progress: (event: DownloadEvent) => void,
): Promise<DownloadResult> {
  const startedAt = now();
  const socket = connect({ host: options.host, port: options.port, allowHalfOpen: true });
  let bytes = 0;
  let reported = false;
  const result = await new Promise<DownloadResult>((resolve) => {
    const finish = (outcome: DownloadResult["outcome"], detail?: string) => {
      clearTimeout(timer);
      const done: DownloadResult = { outcome, bytes, startedAt, endedAt: now() };
      if (detail !== undefined) done.detail = detail;
      resolve(done);
    };
    const timer = setTimeout(() => finish("timeout"), options.timeoutMs);
    socket.once("connect", () => socket.write("stream\n"));
    socket.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      if (!reported && bytes >= options.progressBytes) {
        reported = true;
        progress({ bytes, at: now() });
      }
    });
    socket.once("end", () => finish("ended"));
    socket.once("error", (err: NodeJS.ErrnoException) => finish(outcomeOfError(err), err.code));
    socket.once("close", () => finish("closed"));
  });
  await destroyed(socket);
  return result;
}
