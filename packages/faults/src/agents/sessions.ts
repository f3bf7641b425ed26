import { connect, type Socket } from "node:net";
import { now } from "../clock.js";
import type { Attempt, SessionOptions } from "./protocol.js";
import { roundTrip } from "./round-trip.js";
import { destroyed } from "./visit.js";

/** Long-lived connections for the harness checks: open once, echo on them later. */
export class Sessions {
  private readonly open = new Map<number, Socket>();
  private next = 1;

  connect(options: SessionOptions): Promise<{ session: number; at: number }> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: options.host, port: options.port, allowHalfOpen: true });
      const timer = setTimeout(
        () => socket.destroy(new Error("connect timeout")),
        options.timeoutMs,
      );
      socket.once("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.on("error", () => {}); // echo() reports what happens to it
        const session = this.next++;
        this.open.set(session, socket);
        resolve({ session, at: now() });
      });
    });
  }

  echo(session: number, bytes: number, timeoutMs: number): Promise<Attempt> {
    return roundTrip(this.socket(session), bytes, timeoutMs);
  }

  async close(session: number): Promise<{ closed: boolean }> {
    const socket = this.socket(session);
    this.open.delete(session);
    await destroyed(socket);
    return { closed: true };
  }

  private socket(session: number): Socket {
    const socket = this.open.get(session);
    if (!socket) throw new Error(`no session ${session}`);
    return socket;
  }
}
