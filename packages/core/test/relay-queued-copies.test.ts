import { createHash } from "node:crypto";
import { once } from "node:events";
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer, connect as tlsConnect } from "node:tls";
import { connectTo, makeCertificate, payload, sha256, waitUntil, writeAll } from "@fwd/testkit";
import { afterEach, describe, expect, it, vi } from "vitest";
import { readerOf } from "../src/chunk-reader.js";
import { copyBlocks } from "../src/copy-blocks.js";
import { listen } from "../src/listen.js";
import { type Relay, relay } from "../src/relay.js";

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

/**
 * Copies a relay writes come from pooled blocks, given back once written:
 * copies out of the shared read buffer, and copies of lent chunks for a TLS
 * writer. Each test relays a zero-copy socket into a peer that stops
 * reading, so the copies queue; a block reused while its copy still waits
 * would show up as a wrong digest.
 */
describe("relay of queued copies", () => {
  it("into a TLS writer: keeps every copy of a lent chunk intact, and reuses the blocks after", async () => {
    const certificate = await makeCertificate();
    const peer = stalledPeer();
    const port = await listening(
      createTlsServer({ cert: certificate.cert, key: certificate.key }, peer.accept),
    );
    const relayed = await relayVia((socket, done) => {
      const writer = tlsConnect({ host: "127.0.0.1", port, rejectUnauthorized: false });
      writer.once("secureConnect", () => done(relay(socket, writer)));
      return writer;
    });

    scribbleOnRelease();
    const data = payload(24 * 1024 * 1024);
    const client = await connectTo(relayed.port);
    const sent = writeAll(client, data);
    await waitUntil(() => (relayed.writer()?.writableLength ?? 0) >= 64 * 1024);
    expect(copyBlocks.stats.inUse).toBeGreaterThan(0);
    await checkDelivered(peer, sent, data, relayed.relay);
    expect(copyBlocks.stats.free.some((count) => count > 0)).toBe(true);
    client.destroy();
  });

  it("into a plain writer: keeps every copy out of the shared buffer intact, and gives the blocks back after", async () => {
    const peer = stalledPeer();
    const port = await listening(createServer(peer.accept));
    const relayed = await relayVia((socket, done) => {
      const writer = connect(port, "127.0.0.1");
      writer.once("connect", () => done(relay(socket, writer)));
      return writer;
    });

    scribbleOnRelease();
    const data = payload(16 * 1024 * 1024);
    const client = await connectTo(relayed.port);
    // 40 KiB, then 1 KiB, a turn of the event loop apart: reads land in the
    // shared buffer, under its 64 KiB, and are copied out, the large ones
    // into pooled blocks, the small ones not (writes with and without one).
    const sent = (async () => {
      for (let at = 0, i = 0; at < data.length; i++) {
        const size = i % 2 === 0 ? 40 * 1024 : 1024;
        if (!client.write(data.subarray(at, at + size))) await once(client, "drain");
        at += size;
        await new Promise(setImmediate);
      }
      client.end();
    })();
    await waitUntil(() => relayed.relay() !== undefined && copyBlocks.stats.inUse > 0);
    await checkDelivered(peer, sent, data, relayed.relay);
    expect(copyBlocks.stats.free.some((count) => count > 0)).toBe(true);
    client.destroy();
  });
});

describe("copies for a sink that does not give blocks back", () => {
  it("are buffers of their own, never pooled blocks", async () => {
    const blocksSeen: unknown[] = [];
    let bytes = 0;
    let ended!: () => void;
    const done = new Promise<void>((resolve) => {
      ended = resolve;
    });
    const front = await listen({
      host: "127.0.0.1",
      port: 0,
      adopt: true,
      onConnection: (socket) => {
        socket.once("end", () => ended());
        // Like a handshake parser: it may keep what it got, so it must own it.
        readerOf(socket).start((chunk, _lent, block) => {
          blocksSeen.push(block);
          bytes += chunk.length;
          return true;
        });
      },
    });
    open.push({ close: () => closeServer(front) });
    const client = await connectTo((front.address() as AddressInfo).port);
    for (let i = 0; i < 20; i++) {
      if (!client.write(payload(40 * 1024))) await once(client, "drain");
      await new Promise(setImmediate);
    }
    client.end();
    await done;
    expect(bytes).toBe(20 * 40 * 1024);
    expect(blocksSeen.every((block) => block === undefined)).toBe(true);
    expect(copyBlocks.stats.inUse).toBe(0);
    client.destroy();
  });
});

/**
 * Overwrites every block as it is given back, as the next copy into it
 * would: a block released while its write is still queued or in flight
 * then shows in the digest, whether or not a real reuse came in time.
 */
function scribbleOnRelease(): void {
  const release = copyBlocks.release.bind(copyBlocks);
  const spy = vi.spyOn(copyBlocks, "release").mockImplementation((block, reusable) => {
    block.fill(0xee);
    release(block, reusable);
  });
  open.push({ close: () => spy.mockRestore() });
}

/** A peer that reads nothing until resumed, then hashes all it gets. */
function stalledPeer() {
  let socket: Socket | undefined;
  let received!: (hex: string) => void;
  const digest = new Promise<string>((resolve) => {
    received = resolve;
  });
  return {
    digest,
    resume: () => socket!.resume(),
    accept: (s: Socket) => {
      socket = s;
      s.pause();
      const hash = createHash("sha256");
      s.on("data", (chunk: Buffer) => hash.update(chunk));
      s.on("end", () => {
        received(hash.digest("hex"));
        s.end();
      });
    },
  };
}

async function listening(server: Server): Promise<number> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  open.push({ close: () => closeServer(server) });
  return (server.address() as AddressInfo).port;
}

/** A zero-copy front port whose connection is relayed into the writer `connectWriter` opens. */
async function relayVia(connectWriter: (socket: Socket, done: (r: Relay) => void) => Socket) {
  let relayed: Relay | undefined;
  let writer: Socket | undefined;
  const front = await listen({
    host: "127.0.0.1",
    port: 0,
    adopt: true,
    onConnection: (socket) => {
      writer = connectWriter(socket, (r) => {
        relayed = r;
      });
    },
  });
  open.push({ close: () => closeServer(front) });
  return {
    port: (front.address() as AddressInfo).port,
    relay: () => relayed,
    writer: () => (relayed ? writer : undefined),
  };
}

/** Lets the peer read, then checks every byte arrived and every block came back. */
async function checkDelivered(
  peer: ReturnType<typeof stalledPeer>,
  sent: Promise<void>,
  data: Buffer,
  relayed: () => Relay | undefined,
): Promise<void> {
  peer.resume();
  await sent;
  expect(await peer.digest).toBe(sha256(data));
  expect((await relayed()!.done).bytes.aToB).toBe(data.length);
  expect(copyBlocks.stats.inUse).toBe(0);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
