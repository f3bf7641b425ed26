import { connect, type Socket } from "node:net";
import { now } from "../clock.js";
import type { FloodOptions, FloodReport } from "./protocol.js";

/**
 * Idle connections from one source, opened `concurrency` at a time and kept
 * open, silent, until release(): what a handshake-abuse limit must survive.
 * With `reopenDelayMs` the flood is sustained: each connection the server
 * closes is opened again after that delay, at most `maxOpens` in all.
 */
export class Flood {
  /** Connected and not closed. */
  private readonly open = new Set<Socket>();
  /** Still connecting. */
  private readonly connecting = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private options: FloodOptions | undefined;
  private attempts = 0;
  private opened = 0;
  private failed = 0;
  private closedByPeer = 0;
  private released = false;

  async start(options: FloodOptions): Promise<FloodReport> {
    this.options = options;
    let next = 0;
    const worker = async () => {
      while (next < options.count && !this.released) {
        next++;
        await this.openOne();
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    return this.report();
  }

  /** Stops reopening and closes every connection; `open` tells how many were. */
  async release(): Promise<FloodReport> {
    const wasOpen = this.open.size;
    this.released = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const sockets = [...this.open, ...this.connecting];
    this.open.clear();
    this.connecting.clear();
    await Promise.all(
      sockets.map((socket) => {
        if (socket.closed) return undefined;
        const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
        socket.destroy();
        return closed;
      }),
    );
    return { ...this.report(), open: wasOpen };
  }

  private report(): FloodReport {
    return {
      attempts: this.attempts,
      opened: this.opened,
      failed: this.failed,
      closedByPeer: this.closedByPeer,
      open: this.open.size,
      at: now(),
    };
  }

  /** Resolves once this connection attempt connected or failed. */
  private openOne(): Promise<void> {
    const options = this.options!;
    this.attempts++;
    return new Promise((resolve) => {
      const socket = connect({ host: options.host, port: options.port });
      this.connecting.add(socket);
      let connected = false;
      const timer = setTimeout(
        () => socket.destroy(new Error("connect timeout")),
        options.connectTimeoutMs,
      );
      socket.on("error", () => {});
      socket.once("connect", () => {
        clearTimeout(timer);
        connected = true;
        this.connecting.delete(socket);
        this.opened++;
        this.open.add(socket);
        socket.resume(); // whatever the server says, the flood never answers
        resolve();
      });
      socket.once("close", () => {
        clearTimeout(timer);
        this.connecting.delete(socket);
        if (!connected) {
          this.failed++;
          resolve();
        } else if (this.open.delete(socket)) {
          this.closedByPeer++; // release() empties the set first: those are ours
        } else {
          return;
        }
        this.reopenLater();
      });
    });
  }

  private reopenLater(): void {
    const { reopenDelayMs, maxOpens = 0 } = this.options!;
    if (this.released || reopenDelayMs === undefined || this.attempts >= maxOpens) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.released && this.attempts < maxOpens) void this.openOne();
    }, reopenDelayMs);
    this.timers.add(timer);
  }
}
