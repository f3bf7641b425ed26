import type { Duplex } from "node:stream";
import { readerOf } from "./chunk-reader.js";
import { ErrorCodes, FwdError, fromSystemError } from "./errors.js";
import type { FrameParser, Parsed } from "./protocol/frame-parser.js";

export interface ReadFrameOptions {
  /** Fail with ERR_FWD_TIMEOUT if the frame is not complete by then. */
  timeoutMs: number;
  /** The peer, for error messages: "10.0.0.5:50123" or "server vpn.example:22222". */
  what: string;
  signal?: AbortSignal;
  /** Bytes already read past the previous frame: parsed before anything new is read. */
  initial?: Buffer | undefined;
  /** Fail with ERR_FWD_TIMEOUT unless the first byte arrives this soon (a silent peer holds a slot). */
  firstByteTimeoutMs?: number | undefined;
}

/**
 * Reads one handshake frame from a socket. Resolves with the frame and the
 * bytes that followed it, leaving the socket paused for whoever comes next;
 * rejects with an FwdError on bad bytes, EOF, a socket error or the timeout.
 */
export function readFrame<T>(
  socket: Duplex,
  parser: FrameParser<T>,
  options: ReadFrameOptions,
): Promise<Parsed<T>> {
  const { timeoutMs, what, signal, initial, firstByteTimeoutMs } = options;
  if (initial && initial.length > 0) {
    const parsed = parser.push(initial);
    if (parsed) return Promise.resolve(parsed);
  }
  const reader = readerOf(socket);
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error: FwdError | undefined, parsed?: Parsed<T>) => {
      if (settled) return;
      settled = true;
      reader.stop();
      clearTimeout(timer);
      clearTimeout(firstByteTimer);
      socket.off("end", onEnd);
      socket.off("close", onClose);
      socket.off("error", onError);
      signal?.removeEventListener("abort", onAbort);
      if (error) reject(error);
      else resolve(parsed!);
    };
    const onEnd = () => {
      try {
        parser.end();
      } catch (err) {
        settle(err as FwdError);
      }
    };
    const onClose = () =>
      settle(
        new FwdError(ErrorCodes.HANDSHAKE_CLOSED, `handshake with ${what}: the connection closed`),
      );
    const onError = (err: Error) => settle(fromSystemError(err, "handshake", what));
    const onAbort = () =>
      settle(new FwdError(ErrorCodes.ABORTED, `handshake with ${what}: aborted`));
    const timer = setTimeout(
      () =>
        settle(
          new FwdError(
            ErrorCodes.TIMEOUT,
            `handshake with ${what}: not complete within ${timeoutMs / 1000} s`,
          ),
        ),
      timeoutMs,
    );
    const firstByteTimer =
      firstByteTimeoutMs === undefined || firstByteTimeoutMs >= timeoutMs
        ? undefined
        : setTimeout(
            () =>
              settle(
                new FwdError(
                  ErrorCodes.TIMEOUT,
                  `handshake with ${what}: nothing sent within ${firstByteTimeoutMs / 1000} s`,
                ),
              ),
            firstByteTimeoutMs,
          );
    socket.once("end", onEnd);
    socket.once("close", onClose);
    socket.once("error", onError);
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) return onAbort();
    reader.start((chunk) => {
      clearTimeout(firstByteTimer);
      try {
        const parsed = parser.push(chunk);
        if (!parsed) return true;
        settle(undefined, parsed);
      } catch (err) {
        settle(err as FwdError);
      }
      return false;
    });
  });
}
