import { connect, type Socket } from "node:net";
import { now } from "../clock.js";
import type { FloodOptions, FloodReport } from "./protocol.js";

/**
 * Idle connections from one source, opened `concurrency` at a time and kept
 * open (silent) until release(): what a handshake-abuse limit must survive.
 */
export class Flood {
  private readonly sockets = new Set<Socket>();
  private opened = 0;
  private failed = 0;
  private closedByPeer = 0;
  private released = false;

  async open(options: FloodOptions): Promise<FloodReport> {
    let next = 0;
    const worker = async () => {
      while (next < options.count && !this.released) {
        next++;
        await this.openOne(options);
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    return this.report();
  }

  /** Closes every connection still open. */
  async release(): Promise<FloodReport> {
    this.released = true;
    const closing = [...this.sockets].map(
      (socket) => new Promise<void>((resolve) => socket.once("close", () => resolve())),
    );
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await Promise.all(closing);
    return this.report();
  }

  private report(): FloodReport {
    return {
      opened: this.opened,
      failed: this.failed,
      closedByPeer: this.closedByPeer,
      open: this.sockets.size,
      at: now(),
    };
  }

  private openOne(options: FloodOptions): Promise<void> {
    return new Promise((resolve) => {
      const socket = connect({ host: options.host, port: options.port });
      let connected = false;
      const timer = setTimeout(
        () => socket.destroy(new Error("connect timeout")),
        options.connectTimeoutMs,
      );
      socket.on("error", () => {});
      socket.once("connect", () => {
        clearTimeout(timer);
        connected = true;
        this.opened++;
        this.sockets.add(socket);
        socket.resume(); // whatever the server says, the flood never answers
        resolve();
      });
      socket.once("close", () => {
        clearTimeout(timer);
        if (!connected) {
          this.failed++;
          resolve();
        } else if (this.sockets.delete(socket)) {
          this.closedByPeer++; // release() empties the set first: those are ours
        }
      });
    });
  }
}
