import { createConnection, Socket, type TcpNetConnectOpts } from "node:net";
import createDebug from "debug";
import { ZeroCopyReader } from "./chunk-reader.js";

const debug = createDebug("fwd:core:socket");

/** TCP keepalive probes find dead peers behind NATs that drop idle mappings. */
const KEEPALIVE_MS = 30_000;

let zeroCopyEnabled = process.env.FWD_ZERO_COPY !== "0";

/**
 * Turns the zero-copy read path on or off for sockets created from now on
 * (`FWD_ZERO_COPY=0` in the environment starts with it off). The portable
 * stream path behaves the same, only slower.
 */
export function setZeroCopy(enabled: boolean): void {
  zeroCopyEnabled = enabled;
}

export function isZeroCopyEnabled(): boolean {
  return zeroCopyEnabled;
}

/** Socket options every relayed connection gets (on a TLS socket they reach the TCP one below). */
export function tuneSocket<T extends Socket>(socket: T): T {
  socket.setNoDelay(true); // Nagle plus delayed ACKs would stall request/response traffic 40 ms
  // Keepalive once connected: under Wine, Node fails the connect of a socket
  // whose keepalive was set while it was still connecting.
  if (socket.connecting) socket.once("connect", () => socket.setKeepAlive(true, KEEPALIVE_MS));
  else socket.setKeepAlive(true, KEEPALIVE_MS);
  // Whoever owns the socket handles its errors; this only makes sure an error
  // in between owners (a reset mid-handshake) can never crash the process.
  socket.on("error", logSocketError);
  return socket;
}

function logSocketError(err: Error): void {
  debug("socket error: %s", err.message);
}

/**
 * Opens a half-open-capable TCP connection; with `zeroCopy` (and the path
 * enabled) its reads go to fwd's own buffers: for relay() only, as it then
 * emits no 'data'.
 */
export function connectSocket(options: TcpNetConnectOpts, zeroCopy = false): Socket {
  const base = { ...options, allowHalfOpen: true };
  if (!zeroCopy || !zeroCopyEnabled) return tuneSocket(createConnection(base));
  const reader = new ZeroCopyReader();
  const socket = createConnection({ ...base, onread: reader.onread });
  reader.attach(socket);
  return tuneSocket(socket);
}

/** The private piece of an accepted socket that adoption needs (Node 20's TCPWrap). */
interface TcpHandle {
  reading?: boolean;
  readStart?: unknown;
  useUserBuffer?: unknown;
}

function handleOf(socket: Socket): TcpHandle | null | undefined {
  return (socket as unknown as { _handle?: TcpHandle | null })._handle;
}

/**
 * Whether an accepted socket can move to the zero-copy path. Node offers
 * `onread` only when it creates the socket, and a server creates its own;
 * adoption re-wraps the accepted handle in a socket that has `onread`, which
 * needs the private `_handle`. This checks its shape so a Node that changes
 * it falls back to the stream path instead of breaking.
 */
export function canAdopt(socket: Socket): boolean {
  const handle = handleOf(socket);
  return (
    socket.constructor === Socket &&
    !!handle &&
    handle.reading === false &&
    typeof handle.readStart === "function" &&
    typeof handle.useUserBuffer === "function"
  );
}

/**
 * Prepares a socket accepted by a server created with `pauseOnConnect` and
 * `allowHalfOpen`: on the zero-copy path it returns a new socket that owns the
 * same connection (the original is closed without touching it); otherwise the
 * accepted socket itself.
 */
export function adoptSocket(accepted: Socket): Socket {
  if (!zeroCopyEnabled || !canAdopt(accepted)) return tuneSocket(accepted);
  const handle = handleOf(accepted);
  const reader = new ZeroCopyReader();
  let socket: Socket;
  try {
    socket = new Socket({
      handle,
      allowHalfOpen: true,
      pauseOnCreate: true,
      readable: true,
      writable: true,
      onread: reader.onread,
    } as ConstructorParameters<typeof Socket>[0]);
  } catch (err) {
    debug("adoption failed, using the stream path: %O", err);
    return tuneSocket(accepted);
  }
  // Detach, then destroy the shell: the server counts the connection as closed.
  (accepted as unknown as { _handle: unknown })._handle = null;
  accepted.destroy();
  reader.attach(socket);
  return tuneSocket(socket);
}
