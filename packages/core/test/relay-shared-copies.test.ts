import { createHash } from "node:crypto";
import { once } from "node:events";
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { connectTo, payload, sha256, waitUntil } from "@fwd/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { copyBlocks } from "../src/copy-blocks.js";
import { listen } from "../src/listen.js";
import { type Relay, relay } from "../src/relay.js";

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

/**
 * A zero-copy socket's reads into the shared buffer are copied out into
 * pooled blocks; the relay gives each back once its write is done. Relayed
 * into a plain writer whose peer stops reading, the copies queue: a block
 * reused while its chunk still waits would show up as a wrong digest.
 */
describe("relay of copies out of the shared read buffer", () => {
  it("keeps every queued copy intact until written, and gives the blocks back after", async () => {
    let received!: (hex: string) => void;
    const digest = new Promise<string>((resolve) => {
      received = resolve;
    });
    let peer: Socket | undefined;
    const sink = createServer((s) => {
      peer = s;
      s.pause();
      const hash = createHash("sha256");
      s.on("data", (chunk: Buffer) => hash.update(chunk));
      s.on("end", () => {
        received(hash.digest("hex"));
        s.end();
      });
    });
    sink.listen(0, "127.0.0.1");
    await once(sink, "listening");
    open.push({ close: () => closeServer(sink) });

    let relayed: Relay | undefined;
    const front = await listen({
      host: "127.0.0.1",
      port: 0,
      adopt: true,
      onConnection: (socket) => {
        const writer = connect((sink.address() as AddressInfo).port, "127.0.0.1");
        writer.once("connect", () => {
          relayed = relay(socket, writer);
        });
      },
    });
    open.push({ close: () => closeServer(front) });

    const data = payload(16 * 1024 * 1024);
    const client = await connectTo((front.address() as AddressInfo).port);
    // 40 KiB at a time, a turn of the event loop apart: reads land in the
    // shared buffer, under its 64 KiB, and are copied out.
    const sent = (async () => {
      for (let at = 0; at < data.length; at += 40 * 1024) {
        if (!client.write(data.subarray(at, at + 40 * 1024))) await once(client, "drain");
        await new Promise(setImmediate);
      }
      client.end();
    })();
    await waitUntil(() => relayed !== undefined && copyBlocks.stats.inUse > 0);
    peer!.resume();
    await sent;
    expect(await digest).toBe(sha256(data));
    expect((await relayed!.done).bytes.aToB).toBe(data.length);
    expect(copyBlocks.stats.inUse).toBe(0);
    expect(copyBlocks.stats.free[0]).toBeGreaterThan(0);
    client.destroy();
  });
});

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
