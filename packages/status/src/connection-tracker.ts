import { once } from "node:events";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";

/**
 * Keeps every socket of an HTTP server and how many responses are in
 * flight on it, so close() can drop idle sockets now, end the busy ones as
 * soon as their response is done, and wait for all of them.
 */
export class ConnectionTracker {
  private readonly busy = new Map<Socket, number>();
  private closing = false;

  constructor(server: Server) {
    server.on("connection", (socket: Socket) => {
      if (this.closing) {
        socket.destroy();
        return;
      }
      this.busy.set(socket, 0);
      socket.once("close", () => this.busy.delete(socket));
    });
  }

  /** Call for each request: counts the response in flight until it finishes or breaks. */
  request(request: IncomingMessage, response: ServerResponse): void {
    const socket = request.socket;
    this.busy.set(socket, (this.busy.get(socket) ?? 0) + 1);
    if (this.closing) response.setHeader("Connection", "close");
    response.once("close", () => {
      const left = (this.busy.get(socket) ?? 1) - 1;
      this.busy.set(socket, left);
      if (this.closing && left === 0) socket.end();
    });
  }

  /**
   * Drops idle sockets now and ends busy ones once their responses are done;
   * resolves when every socket is closed. After `graceMs`, destroys the rest.
   */
  async close(graceMs: number): Promise<void> {
    this.closing = true;
    const closed = [...this.busy.keys()].map((socket) =>
      socket.closed ? undefined : once(socket, "close").then(() => undefined),
    );
    // An idle keep-alive socket has nothing to lose.
    for (const [socket, inFlight] of this.busy) if (inFlight === 0) socket.destroy();
    const force = setTimeout(() => {
      for (const socket of this.busy.keys()) socket.destroy();
    }, graceMs);
    try {
      await Promise.all(closed);
    } finally {
      clearTimeout(force);
    }
  }
}
