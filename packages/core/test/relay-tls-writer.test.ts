import { createHash } from "node:crypto";
import { once } from "node:events";
import type { AddressInfo, Server, Socket } from "node:net";
import { createServer as createTlsServer, type TLSSocket, connect as tlsConnect } from "node:tls";
import { connectTo, makeCertificate, payload, sha256, waitUntil, writeAll } from "@fwd/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { copyBlocks } from "../src/copy-blocks.js";
import { listen } from "../src/listen.js";
import { type Relay, relay } from "../src/relay.js";

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

/**
 * A zero-copy socket (its chunks are lent) relayed into a TLS writer whose
 * peer stops reading: the writer queues copies, the reader waits, then the
 * peer reads again. A block reused while its copy still waits in the
 * writer's queue would show up as a wrong digest.
 */
describe("relay into a TLS writer", () => {
  it("keeps every queued copy intact until written, and reuses the blocks after", async () => {
    const certificate = await makeCertificate();
    let peer: TLSSocket | undefined;
    let received!: (hex: string) => void;
    const digest = new Promise<string>((resolve) => {
      received = resolve;
    });
    const tlsServer = createTlsServer({ cert: certificate.cert, key: certificate.key }, (s) => {
      peer = s;
      s.pause();
      const hash = createHash("sha256");
      s.on("data", (chunk: Buffer) => hash.update(chunk));
      s.on("end", () => {
        received(hash.digest("hex"));
        s.end();
      });
    });
    tlsServer.listen(0, "127.0.0.1");
    await once(tlsServer, "listening");
    open.push({ close: () => closeServer(tlsServer) });
    const tlsPort = (tlsServer.address() as AddressInfo).port;

    let relayed: Relay | undefined;
    let writer: TLSSocket | undefined;
    const front = await listen({
      host: "127.0.0.1",
      port: 0,
      adopt: true,
      onConnection: (socket) => {
        writer = tlsConnect({ host: "127.0.0.1", port: tlsPort, rejectUnauthorized: false });
        writer.once("secureConnect", () => {
          relayed = relay(socket, writer!);
        });
      },
    });
    open.push({ close: () => closeServer(front) });

    const data = payload(24 * 1024 * 1024);
    const client: Socket = await connectTo((front.address() as AddressInfo).port);
    const sent = writeAll(client, data);
    // The peer reads nothing: the writer queues a copy, and its block stays out.
    await waitUntil(() => relayed !== undefined && writer!.writableLength >= 64 * 1024);
    expect(copyBlocks.stats.inUse).toBeGreaterThan(0);
    peer!.resume();
    await sent;
    expect(await digest).toBe(sha256(data));
    expect((await relayed!.done).bytes.aToB).toBe(data.length);
    // Every block came back once written, for the next copies.
    expect(copyBlocks.stats.inUse).toBe(0);
    expect(copyBlocks.stats.free.some((count) => count > 0)).toBe(true);
    client.destroy();
  });
});

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
