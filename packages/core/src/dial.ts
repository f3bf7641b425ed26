import type { LookupFunction, Socket } from "node:net";
import createDebug from "debug";
import { type Endpoint, formatEndpoint } from "./address.js";
import { ErrorCodes, FwdError, fromSystemError } from "./errors.js";
import { connectSocket } from "./sockets.js";

const debug = createDebug("fwd:core:dial");

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export interface DialOptions extends Endpoint {
  /** Give up connecting after this long (default 10 s; 0: the OS decides). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** A custom resolver in place of dns.lookup (same signature as net.connect's `lookup`). */
  lookup?: LookupFunction;
}

/**
 * Connects to host:port and resolves with a paused, half-open capable socket
 * once connected. Failures reject with an FwdError naming the address.
 */
export function dial(options: DialOptions): Promise<Socket> {
  const { host, port, signal, lookup } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const where = formatEndpoint({ host, port });
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      return reject(new FwdError(ErrorCodes.ABORTED, `connecting to ${where} was aborted`));
    }
    const socket = connectSocket(lookup ? { host, port, lookup } : { host, port });
    socket.pause();
    let timer: NodeJS.Timeout | undefined;
    const cleanup = () => {
      clearTimeout(timer);
      socket.off("connect", onConnect);
      socket.off("error", onError);
      signal?.removeEventListener("abort", onAbort);
    };
    const fail = (err: FwdError) => {
      cleanup();
      socket.destroy();
      debug("dial %s failed: %s", where, err.message);
      reject(err);
    };
    const onConnect = () => {
      cleanup();
      debug("connected to %s", where);
      resolve(socket);
    };
    const onError = (err: Error) => fail(fromSystemError(err, "connect", where));
    const onAbort = () =>
      fail(new FwdError(ErrorCodes.ABORTED, `connecting to ${where} was aborted`));
    socket.once("connect", onConnect);
    socket.once("error", onError);
    signal?.addEventListener("abort", onAbort, { once: true });
    if (timeoutMs > 0) {
      timer = setTimeout(
        () =>
          fail(
            new FwdError(
              ErrorCodes.TIMEOUT,
              `cannot connect to ${where}: no answer within ${timeoutMs / 1000} s; check the address and any firewall between`,
            ),
          ),
        timeoutMs,
      );
    }
  });
}
