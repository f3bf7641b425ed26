/** Socket plumbing shared by the four modes: listen, dial, one read, closes. */
import { once } from "node:events";
import { connect, createServer } from "node:net";

/** The legacy tools gave up on a silent socket after 10 s. */
export const READ_TIMEOUT_MS = 10_000;

/**
 * Listens and resolves with the server once bound. Accepted sockets start
 * paused, so their bytes stay in the kernel until a mode reads them: a
 * connection waiting its turn is not read at all, like one in a backlog.
 * @param {{ host: string, port: number, backlog?: number }} where
 * @param {(socket: import("node:net").Socket) => void} onSocket
 */
export async function listen(where, onSocket) {
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {
    socket.on("error", () => {}); // a reset peer is an event, not a crash
    onSocket(socket);
  });
  server.listen({ host: where.host, port: where.port, backlog: where.backlog });
  await once(server, "listening"); // rejects on a bind error
  server.on("error", () => {}); // accept errors later on are not worth a crash
  return server;
}

/** "host:port" of a listening server, IPv6 in brackets. */
export function boundAddress(server) {
  const { address, port } = /** @type {import("node:net").AddressInfo} */ (server.address());
  return `${address.includes(":") ? `[${address}]` : address}:${port}`;
}

/**
 * Connects and resolves with the socket once connected, or rejects.
 * @param {string} host
 * @param {number} port
 * @returns {Promise<import("node:net").Socket>}
 */
export function dial(host, port) {
  return new Promise((resolve, reject) => {
    let socket;
    try {
      socket = connect({ host, port, allowHalfOpen: true });
    } catch (err) {
      reject(err); // e.g. a port out of range, straight from the request
      return;
    }
    const failed = (err) => {
      socket.destroy();
      reject(err);
    };
    socket.once("error", failed);
    socket.once("connect", () => {
      socket.off("error", failed);
      socket.on("error", () => {});
      socket.pause();
      resolve(socket);
    });
  });
}

/**
 * What one recv() of the legacy tools returned: the first chunk that
 * arrives, whatever its size, or why none came. The socket is paused
 * again afterwards.
 * @param {import("node:net").Socket} socket
 * @param {number} timeoutMs
 * @returns {Promise<Buffer | "closed" | "timeout">}
 */
export function readOnce(socket, timeoutMs) {
  return new Promise((resolve) => {
    const done = (result) => {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("end", onClosed);
      socket.off("close", onClosed);
      socket.pause();
      resolve(result);
    };
    const onData = (chunk) => done(chunk);
    const onClosed = () => done("closed");
    const timer = setTimeout(() => done("timeout"), timeoutMs);
    socket.on("data", onData);
    socket.once("end", onClosed);
    socket.once("close", onClosed);
    if (socket.destroyed) onClosed();
    else socket.resume();
  });
}

/**
 * Closes a connection the legacy way after reading `readBytes` of what
 * arrived in `firstRead`: with bytes left unread the kernel answers with a
 * reset instead of a FIN, and so does this.
 * @param {import("node:net").Socket} socket
 * @param {Buffer | string} firstRead
 * @param {number} readBytes
 */
export function closeAfterRead(socket, firstRead, readBytes) {
  const unread = Buffer.isBuffer(firstRead) && firstRead.length > readBytes;
  if (unread) socket.resetAndDestroy();
  else socket.destroy();
}

/** A pause that the process exit cuts short; nothing else waits on it. */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
