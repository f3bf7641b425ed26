/** Raw sockets for wire scenarios: what arrived, and how the other end closed. */
import { once } from "node:events";
import type { Socket } from "node:net";
import {
  connectTo,
  type RunningProcess,
  startServer,
  type Teardown,
  type TestServer,
  waitUntil,
} from "../src/index.js";

/** A client connection that records everything the peer does to it. */
export interface Wire {
  socket: Socket;
  /** Every byte received so far. */
  received(): Buffer;
  /** Resolves with everything received once there are at least `n` bytes; rejects on close before. */
  bytes(n: number): Promise<Buffer>;
  /** Resolves when the peer closes its side: "end" (FIN) or "reset". */
  closed: Promise<"end" | "reset">;
}

/** Wraps a connected socket (client or accepted) in a Wire; the teardown destroys it. */
export function wire(socket: Socket, teardown: Teardown): Wire {
  let received = Buffer.alloc(0);
  let closedBy: "end" | "reset" | undefined;
  const watchers = new Set<() => void>();
  const notify = () => {
    for (const watcher of watchers) watcher();
  };
  socket.on("data", (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    notify();
  });
  const closed = new Promise<"end" | "reset">((resolve) => {
    const by = (how: "end" | "reset") => () => {
      closedBy ??= how;
      resolve(closedBy);
      notify();
    };
    socket.once("end", by("end"));
    socket.once("error", by("reset"));
    socket.once("close", by("end"));
  });
  teardown.add(async () => {
    socket.destroy();
    if (!socket.closed) await once(socket, "close");
  });
  return {
    socket,
    received: () => received,
    closed,
    bytes(n) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (received.length >= n) resolve(received);
          else if (closedBy)
            reject(
              new Error(
                `closed (${closedBy}) after ${received.length} of ${n} bytes: "${received}"`,
              ),
            );
          else return;
          watchers.delete(check);
        };
        watchers.add(check);
        check();
      });
    },
  };
}

/** Connects to 127.0.0.1:`port` and records the connection. */
export async function openWire(port: number, teardown: Teardown): Promise<Wire> {
  return wire(await connectTo(port), teardown);
}

/** Waits until `pattern` (global) matched `count` times on the peer's stdout. */
export async function waitForLines(
  peer: RunningProcess,
  pattern: RegExp,
  count: number,
): Promise<void> {
  const seen = () => peer.stdout().match(pattern)?.length ?? 0;
  try {
    await waitUntil(() => seen() >= count);
  } catch {
    throw new Error(
      `saw ${pattern} ${seen()} times, not ${count}:\n${peer.stdout()}${peer.stderr()}`,
    );
  }
}

/** The legacy request, built here from the byte table rather than by the peer's code. */
export function legacyRequest(ipv4: string, port: number, paddedId: string): Buffer {
  const frame = Buffer.alloc(35);
  frame.write("<UVM>", 0, "latin1");
  for (const [i, octet] of ipv4.split(".").entries()) frame[5 + i] = Number(octet);
  frame.writeInt32LE(port, 9);
  frame.write(paddedId, 13, 16, "latin1");
  frame.write("</UVM>", 29, "latin1");
  return frame;
}

/** A server a scenario scripts connection by connection (the n-th connection gets index n). */
export async function startScriptedServer(
  teardown: Teardown,
  script: (client: Wire, index: number) => Promise<void>,
): Promise<TestServer> {
  let count = 0;
  return teardown.add(
    await startServer((socket) => {
      script(wire(socket, teardown), count++).catch(() => socket.destroy());
    }),
  );
}

/** Whether the peer prints a line matching `pattern` within 2 s. */
export function logs(peer: RunningProcess, pattern: RegExp): Promise<boolean> {
  return peer.waitFor(pattern, 2000).then(
    () => true,
    () => false,
  );
}
