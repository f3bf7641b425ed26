/**
 * The legacy relay: bytes both ways with backpressure, and the first EOF or
 * error on either side closes both connections. There is no half-close: a
 * peer that sends FIN and waits for an answer gets its connection closed.
 */
import { READ_TIMEOUT_MS } from "./sockets.mjs";

/**
 * Resolves once both sockets are closed.
 * @param {import("node:net").Socket} a
 * @param {import("node:net").Socket} b
 */
export function legacyRelay(a, b) {
  return new Promise((resolve) => {
    let closing = false;
    let open = 2;
    const closeBoth = () => {
      if (closing) return;
      closing = true;
      closeAfterFlush(a);
      closeAfterFlush(b);
    };
    const forward = (from, to) => {
      from.on("data", (chunk) => {
        if (!closing && !to.write(chunk)) from.pause();
      });
      to.on("drain", () => {
        if (!closing) from.resume();
      });
    };
    forward(a, b);
    forward(b, a);
    for (const socket of [a, b]) {
      const closed = () => {
        closeBoth();
        if (--open === 0) resolve();
      };
      socket.once("end", closeBoth);
      socket.once("error", closeBoth);
      if (socket.destroyed) closed();
      else {
        socket.once("close", closed);
        socket.resume();
      }
    }
  });
}

/** Sends what is queued, then FIN and close; a peer that never reads gets 10 s. */
function closeAfterFlush(socket) {
  if (socket.destroyed) return;
  socket.pause();
  const timer = setTimeout(() => socket.destroy(), READ_TIMEOUT_MS);
  socket.once("close", () => clearTimeout(timer));
  socket.once("finish", () => socket.destroy());
  socket.end();
}
