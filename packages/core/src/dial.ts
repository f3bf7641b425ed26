import type { LookupFunction, Socket } from "node:net";
import createDebug from "debug";
import { type Endpoint, formatEndpoint } from "./address.js";
import { ErrorCodes, FwdError, fromSystemError } from "./errors.js";
import { connectSocket, tuneSocket } from "./sockets.js";
import { type ClientTlsOptions, connectTls } from "./tls.js";

const debug = createDebug("fwd:core:dial");

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export interface DialOptions extends Endpoint {
  /** Give up connecting (TLS handshake included) after this long (default 10 s; 0: the OS decides). */
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** A custom resolver in place of dns.lookup (same signature as net.connect's `lookup`). */
  lookup?: LookupFunction;
  /** Speak TLS to the peer, verified by CA or pinned fingerprint. */
  tls?: ClientTlsOptions | undefined;
  /**
   * Read through fwd's own buffers, for a socket only ever handed to
   * relay(): faster, but it then emits no 'data' (default false). Ignored
   * with `tls`, which reads for itself.
   */
  zeroCopy?: boolean | undefined;
}

/**
 * Connects to host:port and resolves with a paused, half-open capable socket
 * once connected (and, with `tls`, once the server is verified). Failures
 * reject with an FwdError naming the address.
 */
export function dial(options: DialOptions): Promise<Socket> {
  const { host, port, signal, lookup } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const where = formatEndpoint({ host, port });
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      return reject(new FwdError(ErrorCodes.ABORTED, `connecting to ${where} was aborted`));
    }
    let socket: Socket;
    let ready: Promise<void>;
    if (options.tls) {
      const secure = connectTls(host, port, options.tls, where);
      socket = tuneSocket(secure.socket);
      ready = secure.verified;
    } else {
      socket = connectSocket(lookup ? { host, port, lookup } : { host, port }, options.zeroCopy);
      ready = new Promise((done) => socket.once("connect", () => done()));
    }
    socket.pause();
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const cleanup = () => {
      settled = true;
      clearTimeout(timer);
      socket.off("error", onError);
      signal?.removeEventListener("abort", onAbort);
    };
    const fail = (err: FwdError) => {
      if (settled) return;
      cleanup();
      socket.destroy();
      debug("dial %s failed: %s", where, err.message);
      reject(err);
    };
    const onError = (err: Error) => fail(dialError(err, where, options.tls !== undefined, socket));
    const onAbort = () =>
      fail(new FwdError(ErrorCodes.ABORTED, `connecting to ${where} was aborted`));
    ready.then(
      () => {
        if (settled) return;
        cleanup();
        debug("connected to %s%s", where, options.tls ? " (TLS)" : "");
        resolve(socket);
      },
      (err: FwdError) => fail(err),
    );
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

/**
 * A reset or close in the middle of a TLS handshake most often means the
 * server does not speak TLS (a fwd server without a certificate resets a
 * ClientHello), so the message says so; but a busy server turns TLS clients
 * away the same way, so the code stays a reset, which retrying may cure.
 */
function dialError(err: Error, where: string, tls: boolean, socket: Socket): FwdError {
  const error = fromSystemError(err, "connect", where);
  const midHandshake =
    tls &&
    !socket.connecting &&
    (error.code === ErrorCodes.CONN_RESET || error.code === ErrorCodes.HANDSHAKE_CLOSED);
  if (!midHandshake) return error;
  return new FwdError(
    ErrorCodes.CONN_RESET,
    `cannot connect to ${where}: the server broke off the TLS handshake; if it does not speak TLS, drop \`tls\``,
    { cause: err, errno: error.errno, option: "tls" },
  );
}
