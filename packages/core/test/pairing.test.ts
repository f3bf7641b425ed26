import { once } from "node:events";
import type { Socket } from "node:net";
import { connectTo, readAll, Teardown, waitUntil } from "@fwd/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { requestV2 } from "../src/client-v2.js";
import type { FwdError } from "../src/errors.js";
import { type MultiServer, startMultiServer } from "../src/multi/multi-server.js";
import { ACCEPT_FRAME, FrameType, V2FrameParser } from "../src/protocol/v2.js";
import { startUserServer } from "../src/user-server.js";

const teardown = new Teardown();
afterEach(() => teardown.run());

/** A registration made by hand over v2: the test decides whether it takes an offer. */
async function registration(server: MultiServer, port: number): Promise<Socket> {
  const socket = await connectTo(server.address().port);
  teardown.add(() => socket.destroy());
  const granted = await requestV2(
    socket,
    { kind: "register", host: "127.0.0.1", port, uniqueId: "by-hand" },
    { timeoutMs: 2000, what: "server" },
  );
  expect(granted.rest.length).toBe(0);
  return socket;
}

/** Resolves once `socket` receives an OFFER frame (the server sends nothing else after it). */
function nextOffer(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    const parser = new V2FrameParser("offer");
    const onData = (chunk: Buffer) => {
      const frame = parser.push(chunk);
      if (!frame) return;
      socket.off("data", onData);
      socket.pause();
      if (frame.value.type === FrameType.OFFER) resolve();
      else reject(new Error(`frame type ${frame.value.type}, not an offer`));
    };
    socket.on("data", onData);
    socket.resume();
  });
}

describe("confirmed pairing", () => {
  it("hands a visitor to the next registration when one does not take it, with the bytes and FIN it sent meanwhile", async () => {
    // No heartbeats: only the missing ACCEPT can show the first registration dead.
    const server = teardown.add(
      await startMultiServer({
        bind: { host: "127.0.0.1", port: 0 },
        heartbeatIntervalMs: 0,
        pairingConfirmMs: 150,
      }),
    );
    const taker = await registration(server, 0);
    const port = Number(server.publicPorts()[0]!.port.split(":").at(-1));
    const silent = await registration(server, port);
    await waitUntil(() => server.publicPorts()[0]?.waiting === 2);
    // The registration heard from last (the silent one) is offered the visitor first.
    const silentOffered = nextOffer(silent);
    const takerOffered = nextOffer(taker);
    const visitor = await connectTo(port);
    // The request and its FIN, both while the visitor waits: a half-close, carried on.
    visitor.end("sent while waiting");
    await silentOffered;
    const dropped = once(silent, "end");
    silent.resume();
    await dropped;
    await takerOffered;
    taker.write(ACCEPT_FRAME);
    const early = readAll(taker); // resolves at the visitor's FIN
    taker.resume();
    expect((await early).toString()).toBe("sent while waiting");
    taker.end("answered");
    expect((await readAll(visitor)).toString()).toBe("answered");
    visitor.destroy();
  });

  it("never pairs a visitor that reset its connection while it waited", async () => {
    const server = teardown.add(
      await startMultiServer({ bind: { host: "127.0.0.1", port: 0 }, heartbeatIntervalMs: 0 }),
    );
    const first = await registration(server, 0);
    const port = Number(server.publicPorts()[0]!.port.split(":").at(-1));
    // Take the one registration away so the next visitor is held.
    const offered = nextOffer(first);
    const taken = await connectTo(port);
    teardown.add(() => taken.destroy());
    await offered;
    first.write(ACCEPT_FRAME);
    await waitUntil(() => server.publicPorts()[0]?.relays === 1);
    // A FIN alone cannot be told from a download's half-close: only a reset is a hang-up.
    const visitor = await connectTo(port);
    await waitUntil(() => server.publicPorts()[0]?.held === 1);
    visitor.resetAndDestroy();
    await waitUntil(() => server.publicPorts()[0]?.held === 0);
    await registration(server, port);
    await waitUntil(() => server.publicPorts()[0]?.waiting === 1);
    expect(server.publicPorts()[0]).toMatchObject({ waiting: 1, held: 0, relays: 1 });
  });

  it("pairs a visitor that half-closed before sending anything, and delivers the reply (a download)", async () => {
    const server = teardown.add(
      await startMultiServer({ bind: { host: "127.0.0.1", port: 0 }, heartbeatIntervalMs: 0 }),
    );
    const first = await registration(server, 0);
    const port = Number(server.publicPorts()[0]!.port.split(":").at(-1));
    const offered = nextOffer(first);
    const visitor = await connectTo(port);
    visitor.end(); // nothing to send: the FIN must travel, not end the visit
    await offered;
    first.write(ACCEPT_FRAME);
    const request = readAll(first);
    first.resume();
    expect((await request).length).toBe(0);
    first.end("the download");
    expect((await readAll(visitor)).toString()).toBe("the download");
    visitor.destroy();
  });
});

describe("handshake limits", () => {
  it("turns a source away with a busy reply past its handshakes in progress", async () => {
    const server = teardown.add(
      await startUserServer({ bind: { host: "127.0.0.1", port: 0 }, maxHandshakesPerSource: 2 }),
    );
    const refused = once(server, "connectionError") as Promise<[unknown, FwdError]>;
    const silent = [await connectTo(server.address().port), await connectTo(server.address().port)];
    for (const socket of silent) teardown.add(() => socket.destroy());
    await waitUntil(() => server.handshaking === 2);
    const third = await connectTo(server.address().port);
    const reply = await readAll(third);
    const frame = new V2FrameParser("busy").push(reply);
    expect(frame?.value.type).toBe(FrameType.REPLY);
    expect(frame?.value.body[0]).toBe(8); // busy
    expect((await refused)[1].message).toMatch(
      /2 handshakes from 127\.0\.0\.1 already in progress/,
    );
    third.destroy();
  });

  it("drops a connection that sends nothing within the first-byte deadline", async () => {
    const server = teardown.add(
      await startUserServer({ bind: { host: "127.0.0.1", port: 0 }, firstByteTimeoutMs: 100 }),
    );
    const failed = once(server, "connectionError") as Promise<[unknown, FwdError]>;
    const socket = await connectTo(server.address().port);
    socket.resume();
    const [, error] = await failed;
    expect(error).toMatchObject({ code: "ERR_FWD_TIMEOUT" });
    expect(error.message).toMatch(/nothing sent within 0\.1 s/);
    await once(socket, "end");
    socket.destroy();
  });
});
