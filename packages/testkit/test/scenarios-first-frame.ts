/**
 * What a legacy server does with a first frame it cannot verify: one read,
 * "verify failed", a close without a reply, and on to the next connection.
 * A newer client relies on this to probe a server it does not know.
 */
import { randomBytes } from "node:crypto";
import type { LegacyMode } from "../src/index.js";
import { ID, type Scenario } from "./scenario.js";
import { legacyRequest, openWire, waitForLines } from "./wire.js";

/** A fwd v2 HELLO: "FWD", version 2, type 1, a 16-byte body (the client nonce): 23 bytes. */
const v2Hello = Buffer.concat([Buffer.from("FWD"), Buffer.from([2, 1, 0, 16]), randomBytes(16)]);

const unverifiable: Array<[what: string, bytes: Buffer]> = [
  ["a short first read (10 bytes of a request)", legacyRequest("127.0.0.1", 0, ID).subarray(0, 10)],
  ["35 bytes without the markers", Buffer.from("x".repeat(35))],
  ["a fwd v2 hello (23 bytes)", v2Hello],
  [
    "an HTTP request (more than 35 bytes)",
    Buffer.from("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
  ],
];

const servers: LegacyMode[] = ["user-server", "multi-server"];

export const firstFrameScenarios: Scenario[] = servers.flatMap((mode) =>
  unverifiable.map(
    ([what, bytes]): Scenario => ({
      name: `${mode}: ${what}: "verify failed", closed without a reply, still serving`,
      expected: { reply: "", verifyFailed: 1 },
      async run({ teardown, peer }) {
        const server = await peer(mode);
        const probe = await openWire(server.port, teardown);
        probe.socket.write(bytes);
        await probe.closed;
        await waitForLines(server, /^verify failed$/gm, 1);
        // Port 0: a user-server fails to connect there, a multi-server binds any free port.
        const next = await openWire(server.port, teardown);
        next.socket.write(legacyRequest("127.0.0.1", 0, ID));
        await waitForLines(server, /^(request|register) 127\.0\.0\.1:0 /gm, 1);
        return {
          reply: probe.received().toString(),
          verifyFailed: server.stdout().match(/^verify failed$/gm)?.length,
        };
      },
    }),
  ),
);
