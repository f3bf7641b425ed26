import type { Duplex } from "node:stream";
import { duplexPair } from "@fwd/testkit";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { requestMac, Token } from "../src/auth.js";
import { isFwdError } from "../src/errors.js";
import { readFrame } from "../src/handshake.js";
import { encodeLegacyRequest, LEGACY_EX } from "../src/protocol/legacy.js";
import {
  decodeChallenge,
  decodeReply,
  encodeFrame,
  encodeHello,
  encodeRequest,
  FrameType,
  ReplyCode,
  requestFields,
  V2FrameParser,
} from "../src/protocol/v2.js";
import { acceptHandshake, type ServerMode } from "../src/server-handshake.js";

const token = Token.from("correct horse battery staple");
const request = {
  kind: "connect" as const,
  host: "10.0.0.5",
  port: 3389,
  uniqueId: "0000000000laptop",
};

function serve(server: Duplex, mode: ServerMode = "user", withToken: Token | null = token) {
  return acceptHandshake(server, {
    mode,
    token: withToken ?? undefined,
    timeoutMs: 2000,
    what: "client test",
  });
}

/** Reads the next v2 frame the server wrote. */
async function nextFrame(client: Duplex) {
  return (await readFrame(client, new V2FrameParser(), { timeoutMs: 2000, what: "server" })).value;
}

/** Plays a client up to the challenge; returns the server nonce. */
async function hello(client: Duplex, clientNonce = Buffer.alloc(16, 9)): Promise<Buffer> {
  client.write(encodeHello(clientNonce));
  const challenge = await nextFrame(client);
  expect(challenge.type).toBe(FrameType.CHALLENGE);
  return decodeChallenge(challenge.body).serverNonce;
}

function signedRequest(
  serverNonce: Buffer,
  clientNonce = Buffer.alloc(16, 9),
  key = token,
): Buffer {
  const fields = requestFields(request);
  return encodeRequest(fields, requestMac(key, serverNonce, clientNonce, fields));
}

describe("server handshake with a token", () => {
  it("accepts the right token", async () => {
    const [client, server] = duplexPair();
    const accepted = serve(server);
    const nonce = await hello(client);
    client.write(signedRequest(nonce));
    await expect(accepted).resolves.toMatchObject({ protocol: "v2", ...request });
  });

  it.each([
    ["a wrong token", (nonce: Buffer) => signedRequest(nonce, undefined, Token.from("wrong"))],
    ["no token", () => encodeRequest(requestFields(request), Buffer.alloc(32))],
  ])("refuses %s with auth_failed", async (_, make) => {
    const [client, server] = duplexPair();
    const accepted = serve(server);
    const nonce = await hello(client);
    client.write(make(nonce));
    await expect(accepted).rejects.toMatchObject({ code: "ERR_FWD_AUTH_FAILED" });
    const reply = decodeReply((await nextFrame(client)).body);
    expect(reply.code).toBe(ReplyCode.auth_failed);
  });

  it("refuses a replayed handshake: a recorded request fails against a fresh nonce", async () => {
    const [client1, server1] = duplexPair();
    const first = serve(server1);
    const recorded = signedRequest(await hello(client1));
    client1.write(recorded);
    await first;
    const [client2, server2] = duplexPair();
    const second = serve(server2);
    await hello(client2); // the same client nonce, a new server nonce
    client2.write(recorded);
    await expect(second).rejects.toMatchObject({ code: "ERR_FWD_AUTH_FAILED" });
  });

  it.each([
    ["user", Buffer.alloc(0)],
    ["multi", LEGACY_EX],
  ] as const)("refuses a legacy %s client, answering as it expects", async (mode, answer) => {
    const [client, server] = duplexPair();
    const accepted = serve(server, mode);
    const received: Buffer[] = [];
    client.on("data", (chunk: Buffer) => received.push(chunk));
    client.write(encodeLegacyRequest({ host: "10.0.0.5", port: 3389, uniqueId: "old" }));
    await expect(accepted).rejects.toMatchObject({
      code: "ERR_FWD_AUTH_FAILED",
      message: expect.stringMatching(/legacy protocol, which cannot carry a token/),
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(Buffer.concat(received)).toEqual(answer);
  });

  it("answers an unknown version with a refusal any version can read", async () => {
    const [client, server] = duplexPair();
    const accepted = serve(server);
    const hello3 = encodeFrame(FrameType.HELLO, Buffer.alloc(16));
    hello3[3] = 3;
    client.write(hello3);
    await expect(accepted).rejects.toMatchObject({ code: "ERR_FWD_UNSUPPORTED_VERSION" });
    const reply = decodeReply((await nextFrame(client)).body);
    expect(reply).toMatchObject({
      code: ReplyCode.unsupported_version,
      reason: expect.stringMatching(/protocol 2, not 3/),
    });
  });

  it("never authenticates a mutated request", async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.integer({ min: 1, max: 255 }), async (where, delta) => {
        const [client, server] = duplexPair();
        const accepted = serve(server);
        const frame = Buffer.from(signedRequest(await hello(client)));
        const offset = where % frame.length;
        frame[offset] = (frame[offset]! + delta) % 256;
        client.end(frame);
        const outcome = await accepted.then(
          () => "authenticated",
          (err: unknown) => (isFwdError(err) ? "refused" : `crashed: ${err}`),
        );
        expect(outcome).toBe("refused");
      }),
      { numRuns: 300 },
    );
  });

  it("never authenticates random bytes after the hello", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        const [client, server] = duplexPair();
        const accepted = serve(server);
        await hello(client);
        client.end(Buffer.from(bytes));
        const outcome = await accepted.then(
          () => "authenticated",
          (err: unknown) => (isFwdError(err) ? "refused" : `crashed: ${err}`),
        );
        expect(outcome).toBe("refused");
      }),
      { numRuns: 300 },
    );
  });
});

describe("server handshake without a token", () => {
  it("serves legacy and v2 clients alike", async () => {
    const [legacyClient, legacyServer] = duplexPair();
    const legacy = serve(legacyServer, "user", null);
    legacyClient.write(encodeLegacyRequest({ host: "10.0.0.5", port: 3389, uniqueId: "laptop" }));
    await expect(legacy).resolves.toMatchObject({ protocol: "legacy", ...request });

    const [client, server] = duplexPair();
    const v2 = serve(server, "user", null);
    client.write(encodeHello(Buffer.alloc(16)));
    client.write(encodeRequest(requestFields(request), Buffer.alloc(32)));
    await expect(v2).resolves.toMatchObject({ protocol: "v2", ...request });
  });
});
