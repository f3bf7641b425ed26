import { once } from "node:events";
import type { Socket } from "node:net";
import {
  connectTo,
  exchange,
  payload,
  readAll,
  sha256,
  startDigestServer,
  startEchoServer,
  startServer,
  type TestServer,
  waitUntil,
  writeAll,
} from "@fwd/testkit";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { readerOf, type ZeroCopyReader } from "../src/chunk-reader.js";
import { LARGE_READ_SIZE, largeReadBuffers, SHARED_READ_SIZE } from "../src/read-buffers.js";
import { type Relay, relay } from "../src/relay.js";
import { setZeroCopy } from "../src/sockets.js";
import { type RelayHarness, startRelayHarness } from "./harness.js";

const MB = 1024 * 1024;

describe("relay over a socket that already closed", () => {
  it("settles at once and closes the other side", async () => {
    const target = await startEchoServer();
    try {
      const a = await connectTo(target.port);
      const b = await connectTo(target.port);
      a.destroy();
      await once(a, "close");
      const summary = await relay(a, b).done;
      expect(summary.reason).toBe("closed");
      expect(b.destroyed).toBe(true);
    } finally {
      await target.close();
    }
  });
});

describe("relay teardown while a shutdown is in flight", () => {
  it("closes a socket whose write side is being shut down when the other side fails", async () => {
    const target = await startServer((socket) => socket.resume());
    try {
      const a = await connectTo(target.port);
      const b = await connectTo(target.port);
      b.end(); // shutdown requested, not yet done: libuv refuses to reset it (EINVAL)
      const active = relay(a, b);
      a.destroy(new Error("boom"));
      const summary = await active.done;
      expect(summary).toMatchObject({ reason: "error", error: { message: "boom" } });
      expect(b.closed).toBe(true);
    } finally {
      await target.close();
    }
  });
});

/**
 * A relay harness per test in front of a test server, on the read path
 * asked for; afterEach closes every client, the harness and the server.
 */
function relayFixture(zeroCopy: boolean) {
  let target: TestServer | undefined;
  let harness: RelayHarness | undefined;
  const clients: Socket[] = [];

  beforeAll(() => {
    setZeroCopy(zeroCopy);
    return () => setZeroCopy(true);
  });

  afterEach(async () => {
    vi.useRealTimers();
    const closed = clients.filter((c) => !c.closed).map((c) => once(c, "close"));
    for (const client of clients.splice(0)) client.destroy();
    await Promise.all(closed);
    await harness?.close();
    await target?.close();
    harness = undefined;
    target = undefined;
  });

  return {
    async through(server: Promise<TestServer>, options = {}) {
      target = await server;
      harness = await startRelayHarness(target, options);
      return harness;
    },
    async client(port: number): Promise<Socket> {
      const socket = await connectTo(port);
      clients.push(socket);
      return socket;
    },
  };
}

describe.each([
  { path: "zero-copy", zeroCopy: true },
  { path: "stream", zeroCopy: false },
])("relay on the $path path", ({ zeroCopy }) => {
  const { through, client } = relayFixture(zeroCopy);

  it("takes the read path it was asked for on both sides", async () => {
    const { port, nextRelay } = await through(startEchoServer());
    const relayed = nextRelay();
    const echoed = await exchange(port, Buffer.from("ping"));
    const active = await relayed;
    expect(echoed.toString()).toBe("ping");
    expect(readerOf(active.a).zeroCopy).toBe(zeroCopy);
    expect(readerOf(active.b).zeroCopy).toBe(zeroCopy);
  });

  it("carries 64 MB each way at once, byte for byte", async () => {
    const { port, nextRelay } = await through(startEchoServer());
    const data = payload(64 * MB);
    const relayed = nextRelay();
    const echoed = await exchange(port, data);
    expect(echoed.length).toBe(data.length);
    expect(sha256(echoed)).toBe(sha256(data));
    const summary = await (await relayed).done;
    expect(summary).toMatchObject({
      reason: "done",
      bytes: { aToB: data.length, bToA: data.length },
    });
  }, 60_000);

  it("delivers a reply sent after the client's FIN (request, FIN, reply)", async () => {
    const { port } = await through(startDigestServer());
    const request = payload(3 * MB + 17);
    const reply = await exchange(port, request);
    expect(reply.toString()).toBe(`${request.length} ${sha256(request)}\n`);
  });

  it("lets the client keep sending after the server's FIN", async () => {
    let serverGot: Promise<Buffer> = Promise.resolve(Buffer.alloc(0));
    const { port, nextRelay } = await through(
      startServer((socket) => {
        serverGot = readAll(socket);
        socket.end("server done\n");
      }),
    );
    const relayed = nextRelay();
    const socket = await client(port);
    const fromServer = await readAll(socket);
    expect(fromServer.toString()).toBe("server done\n");
    expect(socket.writable).toBe(true);
    const late = payload(2 * MB);
    await writeAll(socket, late);
    const summary = await (await relayed).done;
    expect(sha256(await serverGot)).toBe(sha256(late));
    expect(summary.reason).toBe("done");
    expect(summary.bytes).toEqual({ aToB: late.length, bToA: 12 });
  });

  it("stays within a fixed buffer bound while the reader has stopped", async () => {
    let stalled: Socket | undefined;
    const { port, nextRelay } = await through(
      startServer((socket) => {
        socket.pause();
        stalled = socket;
      }),
    );
    const relayed = nextRelay();
    const socket = await client(port);
    const active = await relayed;
    const chunk = payload(MB);
    const hash = (await import("node:crypto")).createHash("sha256");
    let sent = 0;
    // Push until the whole path is full and the relay has stopped reading.
    await waitUntil(
      () => {
        while (socket.writableLength < 4 * MB) {
          socket.write(chunk);
          hash.update(chunk);
          sent += chunk.length;
        }
        return active.paused.aToB;
      },
      { what: "the relay to pause", timeoutMs: 20_000 },
    );
    const bound = zeroCopy ? LARGE_READ_SIZE + SHARED_READ_SIZE : 4 * SHARED_READ_SIZE;
    const relayedSoFar = active.bytes.aToB;
    expect(active.buffered).toBeLessThanOrEqual(bound);
    // Much more offered does not move into the relay while the reader is stopped.
    for (let i = 0; i < 16; i++) {
      socket.write(chunk);
      hash.update(chunk);
      sent += chunk.length;
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(active.buffered).toBeLessThanOrEqual(bound);
    expect(active.bytes.aToB - relayedSoFar).toBeLessThanOrEqual(bound);
    socket.end();
    // The reader resumes: every byte arrives, in order.
    const received = readAll(stalled!);
    stalled!.resume();
    const got = await received;
    expect(got.length).toBe(sent);
    expect(sha256(got)).toBe(hash.digest("hex"));
  }, 60_000);

  it("resets the client when the server resets, and reports the error", async () => {
    const { port, nextRelay } = await through(
      startServer((socket) => {
        socket.once("data", () => socket.resetAndDestroy());
      }),
    );
    const relayed = nextRelay();
    const socket = await client(port);
    const failed = new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      socket.once("error", resolve);
      socket.once("close", () => resolve(undefined));
    });
    socket.write("trigger");
    const summary = await (await relayed).done;
    expect(summary.reason).toBe("error");
    expect(summary.error).toMatchObject({ code: "ECONNRESET" });
    expect((await failed)?.code).toBe("ECONNRESET");
  });

  it("resets the server when the client resets", async () => {
    let serverSide: Promise<unknown> = Promise.resolve();
    const { port, nextRelay } = await through(
      startServer((socket) => {
        serverSide = new Promise((resolve) => {
          socket.once("error", resolve);
          socket.once("close", () => resolve("closed"));
        });
      }),
    );
    const relayed = nextRelay();
    const socket = await client(port);
    const active = await relayed;
    socket.resetAndDestroy();
    const summary = await active.done;
    expect(summary.reason).toBe("error");
    expect(await serverSide).toMatchObject({ code: "ECONNRESET" });
  });

  it("closes both sides after the idle timeout, and not while bytes move", async () => {
    // The relay's clock and timers are fake, its sockets real: time moves only when told.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const idleTimeoutMs = 300;
    const { port, nextRelay } = await through(startEchoServer(), { idleTimeoutMs });
    const relayed = nextRelay();
    const socket = await client(port);
    const active = await relayed;
    const ended = once(socket, "end");
    // A byte each way every 100 ms for 600 ms: twice the idle period, still open.
    for (let i = 0; i < 6; i++) {
      socket.write("x");
      await once(socket, "data");
      vi.advanceTimersByTime(100);
    }
    expect(active.closing).toBe(false);
    // The last byte moved 100 ms ago: it closes exactly idleTimeoutMs after it.
    vi.advanceTimersByTime(idleTimeoutMs - 101);
    expect(active.closing).toBe(false);
    vi.advanceTimersByTime(1);
    expect(active.closing).toBe(true);
    const summary = await active.done;
    await ended;
    expect(summary.reason).toBe("idle");
    expect(summary.error).toMatchObject({ code: "ERR_FWD_TIMEOUT" });
    expect(summary.durationMs).toBe(800);
    expect(summary.bytes).toEqual({ aToB: 6, bToA: 6 });
  });

  it("closes both sides when its signal aborts", async () => {
    const controller = new AbortController();
    const { port, nextRelay } = await through(startEchoServer(), { signal: controller.signal });
    const relayed = nextRelay();
    const socket = await client(port);
    const active = await relayed;
    const ended = once(socket, "end");
    controller.abort();
    expect((await active.done).reason).toBe("aborted");
    await ended;
  });

  it("relays 100 connections at once, each intact", async () => {
    const { port } = await through(startEchoServer());
    const payloads = Array.from({ length: 100 }, (_, i) => payload(32 * 1024 + i));
    const echoed = await Promise.all(payloads.map((data) => exchange(port, data)));
    expect(echoed.map(sha256)).toEqual(payloads.map(sha256));
  });
});

/** Only the zero-copy path borrows large read buffers: these run on it alone. */
describe("relay's large read buffers (zero-copy path)", () => {
  const { through, client } = relayFixture(true);

  /** Sends `data` and resolves once as many bytes came back. */
  function echoed(socket: Socket, data: Buffer): Promise<void> {
    let got = 0;
    const back = new Promise<void>((resolve) => {
      const onData = (chunk: Buffer) => {
        got += chunk.length;
        if (got < data.length) return;
        socket.off("data", onData);
        resolve();
      };
      socket.on("data", onData);
    });
    socket.write(data);
    return back;
  }

  /**
   * Resolves once the idle sweep has let go of every reader of `active` it
   * still watches (releaseIfIdle returned true for each): the verdict is in.
   * Call it once the traffic is over, while a large buffer is borrowed.
   */
  function sweptIdle(active: Relay): Promise<void> {
    const readers = [readerOf(active.a), readerOf(active.b)] as ZeroCopyReader[];
    const verdicts = new Map<ZeroCopyReader, boolean>();
    return new Promise((resolve) => {
      for (const reader of readers) {
        const original = reader.releaseIfIdle.bind(reader);
        reader.releaseIfIdle = () => {
          const done = original();
          verdicts.set(reader, done);
          // One sweep judges every watched reader at once: decide after it.
          queueMicrotask(() => {
            if ([...verdicts.values()].every(Boolean)) resolve();
          });
          return done;
        };
      }
    });
  }

  /**
   * Sends 4 MB bursts until one leaves a large read buffer borrowed: most do,
   * but one that ends on a small read gives its buffer back by itself.
   * Resolves with the number borrowed.
   */
  async function burstUntilBorrowed(socket: Socket): Promise<number> {
    for (let attempt = 0; attempt < 20; attempt++) {
      await echoed(socket, payload(4 * MB));
      const inUse = largeReadBuffers.stats.inUse;
      if (inUse > 0) return inUse;
    }
    throw new Error(
      "20 bursts of 4 MB each ended on a small read: no large buffer stayed borrowed",
    );
  }

  it("gives large read buffers back once a connection goes idle", async () => {
    const { port, nextRelay } = await through(startEchoServer());
    const relayed = nextRelay();
    const socket = await client(port);
    const active = await relayed;
    expect(await burstUntilBorrowed(socket)).toBeGreaterThan(0);
    // The connection stays open and idle: the sweep takes the buffers back.
    await sweptIdle(active);
    expect(largeReadBuffers.stats.inUse).toBe(0);
    socket.write("still works");
    expect((await once(socket, "data"))[0].toString()).toBe("still works");
  });

  it("keeps the large buffer, still correct, where the handle cannot be repointed", async () => {
    const { port, nextRelay } = await through(startEchoServer());
    const relayed = nextRelay();
    const socket = await client(port);
    const active = await relayed;
    // As on a Node without the private call: the idle sweep must leave the buffer be.
    for (const side of [active.a, active.b]) {
      const handle = (side as unknown as { _handle: object })._handle;
      Object.defineProperty(handle, "useUserBuffer", { value: undefined });
    }
    const held = await burstUntilBorrowed(socket);
    await sweptIdle(active); // the sweep judged the connection idle and let it go, buffer kept
    expect(largeReadBuffers.stats.inUse).toBe(held);
    socket.write("still right");
    expect((await once(socket, "data"))[0].toString()).toBe("still right");
  });
});
