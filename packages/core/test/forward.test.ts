import { once } from "node:events";
import type { Socket } from "node:net";
import {
  connectTo,
  exchange,
  payload,
  readAll,
  sha256,
  startBlackhole,
  startEchoServer,
  startServer,
  Teardown,
  writeAll,
} from "@fwd/testkit";
import { afterEach, describe, expect, it } from "vitest";
import {
  type ConnectionInfo,
  ErrorCodes,
  type Forwarder,
  Forwarder as ForwarderClass,
  type ForwardOptions,
  FwdError,
  forward,
  type RelaySummary,
} from "../src/index.js";

const MB = 1024 * 1024;
const loopback = { host: "127.0.0.1", port: 0 };
const teardown = new Teardown();
afterEach(() => teardown.run());

async function forwarderTo(
  target: { host?: string; port: number },
  options: Partial<ForwardOptions> = {},
): Promise<Forwarder> {
  return teardown.add(
    await forward({
      bind: loopback,
      target: { host: target.host ?? "127.0.0.1", port: target.port },
      ...options,
    }),
  );
}

async function client(port: number): Promise<Socket> {
  const socket = await connectTo(port);
  teardown.add(() => {
    socket.destroy();
  });
  return socket;
}

/** Sends `text` and resolves with as many bytes as came back (through an echo target). */
async function roundTrip(socket: Socket, text: string): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  const back = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length < Buffer.byteLength(text)) return;
      socket.off("data", onData);
      socket.off("close", onClose);
      resolve(Buffer.concat(chunks).toString());
    };
    const onClose = () => reject(new Error("closed before the echo came back"));
    socket.on("data", onData);
    socket.once("close", onClose);
  });
  socket.write(text);
  return back;
}

/** What `fn` threw (it must throw). */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("it did not throw");
}

/** The error `promise` rejects with (it must reject). */
function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("it resolved; it should have rejected");
    },
    (err: unknown) => err,
  );
}

/** Resolves once `forwarder` has emitted `count` connectionClosed events, with their summaries. */
function closedConnections(forwarder: Forwarder, count: number): Promise<RelaySummary[]> {
  const summaries: RelaySummary[] = [];
  return new Promise((resolve) => {
    const onClosed = (_: ConnectionInfo, summary: RelaySummary) => {
      summaries.push(summary);
      if (summaries.length < count) return;
      forwarder.off("connectionClosed", onClosed);
      resolve(summaries);
    };
    forwarder.on("connectionClosed", onClosed);
  });
}

describe("forward(): traffic", () => {
  it("relays both ways byte for byte, the reply after the request's FIN", async () => {
    const reply = payload(4 * MB + 3);
    let received: Promise<Buffer> = Promise.resolve(Buffer.alloc(0));
    const target = teardown.add(
      await startServer((socket) => {
        received = readAll(socket);
        void received.then(() => writeAll(socket, reply));
      }),
    );
    const forwarder = await forwarderTo(target);
    const closed = closedConnections(forwarder, 1);
    const request = payload(4 * MB + 17);
    const back = await exchange(forwarder.address().port, request);
    expect(sha256(await received)).toBe(sha256(request));
    expect(sha256(back)).toBe(sha256(reply));
    const [summary] = await closed;
    expect(summary).toMatchObject({
      reason: "done",
      bytes: { aToB: request.length, bToA: reply.length },
    });
  });

  it("lets the client keep sending after the target's FIN", async () => {
    let received: Promise<Buffer> = Promise.resolve(Buffer.alloc(0));
    const target = teardown.add(
      await startServer((socket) => {
        received = readAll(socket);
        socket.end("target done\n");
      }),
    );
    const forwarder = await forwarderTo(target);
    const closed = closedConnections(forwarder, 1);
    const socket = await client(forwarder.address().port);
    expect((await readAll(socket)).toString()).toBe("target done\n");
    expect(socket.writable).toBe(true);
    const late = payload(2 * MB);
    await writeAll(socket, late);
    expect(sha256(await received)).toBe(sha256(late));
    const [summary] = await closed;
    expect(summary).toMatchObject({ reason: "done", bytes: { aToB: late.length, bToA: 12 } });
  });

  it("serves 100 connections at once, each intact, and counts them", async () => {
    const forwarder = await forwarderTo(teardown.add(await startEchoServer()));
    const closed = closedConnections(forwarder, 100);
    const payloads = Array.from({ length: 100 }, (_, i) => payload(32 * 1024 + i));
    const echoed = await Promise.all(
      payloads.map((data) => exchange(forwarder.address().port, data)),
    );
    expect(echoed.map(sha256)).toEqual(payloads.map(sha256));
    const summaries = await closed;
    expect(summaries.every((summary) => summary.reason === "done")).toBe(true);
    const total = payloads.reduce((sum, data) => sum + data.length, 0);
    expect(forwarder.stats()).toEqual({
      accepted: 100,
      active: 0,
      failed: 0,
      bytesIn: total,
      bytesOut: total,
      outcomes: { done: 100 },
      failures: {},
    });
  });

  it("gives up on a target that never answers after connectTimeoutMs", async () => {
    // A loopback listener that never accepts, its queue full: SYNs go unanswered.
    const blackhole = teardown.add(await startBlackhole());
    const forwarder = await forwarderTo(blackhole, { connectTimeoutMs: 200 });
    const failed = once(forwarder, "connectionError") as Promise<[ConnectionInfo, FwdError]>;
    const started = performance.now();
    const socket = await client(forwarder.address().port);
    const clientEnded = once(socket, "end");
    socket.resume();
    const [info, error] = await failed;
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(error).toBeInstanceOf(FwdError);
    expect(error.code).toBe(ErrorCodes.TIMEOUT);
    expect(error.message).toContain(`cannot connect to 127.0.0.1:${blackhole.port}: no answer`);
    expect(info).toMatchObject({ id: 1, target: `127.0.0.1:${blackhole.port}` });
    await clientEnded;
    expect(forwarder.stats()).toMatchObject({
      accepted: 1,
      active: 0,
      failed: 1,
      failures: { [ErrorCodes.TIMEOUT]: 1 },
    });
  });
});

describe("forward(): counters and events", () => {
  it("stats() and connections() follow real traffic", async () => {
    const echo = teardown.add(await startEchoServer());
    const forwarder = await forwarderTo(echo);
    expect(forwarder.stats()).toEqual({
      accepted: 0,
      active: 0,
      failed: 0,
      bytesIn: 0,
      bytesOut: 0,
      outcomes: {},
      failures: {},
    });
    expect(forwarder.connections()).toEqual([]);
    const socket = await client(forwarder.address().port);
    const text = "x".repeat(1000);
    expect(await roundTrip(socket, text)).toBe(text);
    expect(forwarder.stats()).toMatchObject({
      accepted: 1,
      active: 1,
      bytesIn: 1000,
      bytesOut: 1000,
    });
    const [live] = forwarder.connections();
    expect(live).toEqual({
      info: {
        id: 1,
        remote: `127.0.0.1:${socket.localPort}`,
        target: `127.0.0.1:${echo.port}`,
        startedAt: expect.any(Number),
      },
      bytes: { in: 1000, out: 1000 },
    });
    expect(await roundTrip(socket, "abc")).toBe("abc");
    expect(forwarder.connections()[0]?.bytes).toEqual({ in: 1003, out: 1003 });
    const closed = closedConnections(forwarder, 1);
    socket.end();
    await closed;
    expect(forwarder.connections()).toEqual([]);
    expect(forwarder.stats()).toEqual({
      accepted: 1,
      active: 0,
      failed: 0,
      bytesIn: 1003,
      bytesOut: 1003,
      outcomes: { done: 1 },
      failures: {},
    });
  });

  it("emits frozen ConnectionInfo snapshots that never change afterwards", async () => {
    const echo = teardown.add(await startEchoServer());
    const forwarder = await forwarderTo(echo);
    const opened = once(forwarder, "connection") as Promise<[ConnectionInfo]>;
    const closed = once(forwarder, "connectionClosed") as Promise<[ConnectionInfo, RelaySummary]>;
    const socket = await client(forwarder.address().port);
    const [atAccept] = await opened;
    expect(await roundTrip(socket, "ping")).toBe("ping");
    socket.end();
    const [atClose] = await closed;
    for (const info of [atAccept, atClose, forwarder.connections()[0]?.info]) {
      if (info) expect(Object.isFrozen(info)).toBe(true);
    }
    expect(thrownBy(() => Object.assign(atAccept, { id: 99 }))).toBeInstanceOf(TypeError);
    // The target became known after the 'connection' event: only later snapshots carry it.
    expect(atAccept.target).toBeUndefined();
    expect(atClose).toMatchObject({ id: atAccept.id, target: `127.0.0.1:${echo.port}` });
    expect(atAccept.id).toBe(1);
  });
});

describe("Forwarder lifecycle", () => {
  it("address() throws ERR_FWD_INVALID_STATE before start() and after close()", async () => {
    const echo = teardown.add(await startEchoServer());
    const forwarder = teardown.add(
      new ForwarderClass({ bind: loopback, target: { host: "127.0.0.1", port: echo.port } }),
    );
    const before = thrownBy(() => forwarder.address());
    expect(before).toBeInstanceOf(FwdError);
    expect(before).toMatchObject({ code: ErrorCodes.INVALID_STATE });
    await forwarder.start();
    const { port } = forwarder.address();
    expect(port).toBeGreaterThan(0);
    expect((await exchange(port, Buffer.from("hi"))).toString()).toBe("hi");
    await forwarder.close();
    const after = thrownBy(() => forwarder.address());
    expect(after).toMatchObject({ code: ErrorCodes.INVALID_STATE });
    expect((after as FwdError).exitStatus).toBe(1);
  });

  it("start() a second time throws ERR_FWD_INVALID_STATE, started or closed", async () => {
    const echo = teardown.add(await startEchoServer());
    const options = { bind: loopback, target: { host: "127.0.0.1", port: echo.port } };
    const running = await forwarderTo(echo);
    expect(await rejectionOf(running.start())).toMatchObject({ code: ErrorCodes.INVALID_STATE });
    expect(running.state).toBe("running");

    const racing = teardown.add(new ForwarderClass(options));
    const first = racing.start();
    expect(await rejectionOf(racing.start())).toMatchObject({ code: ErrorCodes.INVALID_STATE });
    await first;

    const closed = new ForwarderClass(options);
    await closed.close();
    expect(closed.state).toBe("closed");
    expect(await rejectionOf(closed.start())).toMatchObject({ code: ErrorCodes.INVALID_STATE });
  });

  it("start() rejects with ERR_FWD_ABORTED when its signal was aborted first", async () => {
    const forwarder = new ForwarderClass({
      bind: loopback,
      target: { host: "127.0.0.1", port: 1 },
      signal: AbortSignal.abort(),
    });
    expect(await rejectionOf(forwarder.start())).toMatchObject({ code: ErrorCodes.ABORTED });
    expect(forwarder.state).toBe("closed");
  });

  it("aborting its signal destroys it: open connections end, state closed, done resolves", async () => {
    const controller = new AbortController();
    const forwarder = await forwarderTo(teardown.add(await startEchoServer()), {
      signal: controller.signal,
    });
    const { port } = forwarder.address();
    const socket = await client(port);
    expect(await roundTrip(socket, "ping")).toBe("ping");
    // The client is half-open capable: the forwarder's end of it arrives as EOF.
    const socketEnded = once(socket, "end");
    const stopped = once(forwarder, "close") as Promise<[FwdError | undefined]>;
    controller.abort();
    await socketEnded;
    expect(await stopped).toEqual([undefined]);
    await expect(forwarder.done).resolves.toBeUndefined();
    expect(forwarder.state).toBe("closed");
    expect(await rejectionOf(connectTo(port))).toMatchObject({ code: "ECONNREFUSED" });
  });

  it("close() refuses new connections, lets the open one finish, then resolves", async () => {
    const forwarder = await forwarderTo(teardown.add(await startEchoServer()));
    const { port } = forwarder.address();
    const socket = await client(port);
    expect(await roundTrip(socket, "before")).toBe("before");
    const draining = once(forwarder, "draining");
    let closeResolved = false;
    const closing = forwarder.close().then(() => {
      closeResolved = true;
    });
    expect(forwarder.state).toBe("closing");
    await draining;
    expect(await rejectionOf(connectTo(port))).toMatchObject({ code: "ECONNREFUSED" });
    // The open connection still carries traffic both ways while close() waits for it.
    expect(await roundTrip(socket, "while closing")).toBe("while closing");
    expect(closeResolved).toBe(false);
    expect(forwarder.state).toBe("closing");
    const ended = once(socket, "end");
    socket.end();
    await ended;
    await closing;
    expect(forwarder.state).toBe("closed");
    await expect(forwarder.done).resolves.toBeUndefined();
    expect(forwarder.stats().outcomes).toEqual({ done: 1 });
  });

  it("destroy() ends open connections now; destroy(error) makes done reject with it", async () => {
    const forwarder = await forwarderTo(teardown.add(await startEchoServer()));
    const socket = await client(forwarder.address().port);
    expect(await roundTrip(socket, "ping")).toBe("ping");
    const socketEnded = once(socket, "end");
    const relayClosed = once(forwarder, "connectionClosed") as Promise<
      [ConnectionInfo, RelaySummary]
    >;
    const stopped = once(forwarder, "close") as Promise<[FwdError | undefined]>;
    const failure = new FwdError(ErrorCodes.NETWORK, "the host application gave up");
    await forwarder.destroy(failure);
    await socketEnded;
    expect((await relayClosed)[1].reason).toBe("closed");
    expect(await stopped).toEqual([failure]);
    expect(await rejectionOf(forwarder.done)).toBe(failure);
    expect(forwarder.state).toBe("closed");
    // Once closed, further stops are no-ops.
    await forwarder.close();
    await forwarder.destroy();
    expect(forwarder.state).toBe("closed");
  });
});
