import { once } from "node:events";
import type { Socket } from "node:net";
import {
  connectTo,
  exchange,
  freePort,
  payload,
  sha256,
  startDigestServer,
  startEchoServer,
  startServer,
  Teardown,
  waitUntil,
} from "@fwd/testkit";
import { afterEach, describe, expect, it } from "vitest";
import type { ConnectionInfo } from "../src/connection-info.js";
import type { FwdError } from "../src/errors.js";
import { encodeLegacyRequest, LEGACY_EX, LEGACY_OK } from "../src/protocol/legacy.js";
import type { FwdService } from "../src/service.js";
import { startUserClient, type UserClientOptions } from "../src/user-client.js";
import { startUserServer, type UserServerOptions } from "../src/user-server.js";

const MB = 1024 * 1024;
const loopback = { host: "127.0.0.1", port: 0 };
const teardown = new Teardown();
afterEach(() => teardown.run());

function nextError(service: FwdService): Promise<[ConnectionInfo, FwdError]> {
  return once(service, "connectionError") as Promise<[ConnectionInfo, FwdError]>;
}

async function userServer(options: Partial<UserServerOptions> = {}) {
  return teardown.add(await startUserServer({ bind: loopback, ...options }));
}

async function userClient(
  server: { port: number },
  targetPort: number,
  options: Partial<UserClientOptions> = {},
) {
  return teardown.add(
    await startUserClient({
      bind: loopback,
      server: { host: "127.0.0.1", port: server.port },
      target: { host: "127.0.0.1", port: targetPort },
      uniqueId: "test",
      ...options,
    }),
  );
}

/** A TS user-client and user-server in front of `target`; returns the client's port. */
async function pairTo(target: { port: number }) {
  const server = await userServer();
  const client = await userClient(server.address(), target.port);
  return { server, client, port: client.address().port };
}

/** Waits for the peer to end or close the connection, then destroys it. */
async function closedByPeer(socket: Socket): Promise<void> {
  if (!socket.readableEnded) {
    socket.resume();
    await Promise.race([once(socket, "end"), once(socket, "close")]);
  }
  socket.destroy();
}

describe("user pair (TS client and TS server)", () => {
  it("echoes 8 MB byte-identical", async () => {
    const { port } = await pairTo(teardown.add(await startEchoServer()));
    const data = payload(8 * MB);
    expect(sha256(await exchange(port, data))).toBe(sha256(data));
  });

  it("delivers a reply sent after the request's FIN", async () => {
    const { port } = await pairTo(teardown.add(await startDigestServer()));
    const request = payload(MB);
    expect((await exchange(port, request)).toString()).toBe(
      `${request.length} ${sha256(request)}\n`,
    );
  });

  it("serves 50 simultaneous connections intact", async () => {
    const { port, server } = await pairTo(teardown.add(await startEchoServer()));
    const payloads = Array.from({ length: 50 }, (_, i) => payload(100_000 + i));
    const echoed = await Promise.all(payloads.map((data) => exchange(port, data)));
    expect(echoed.map(sha256)).toEqual(payloads.map(sha256));
    // The server also took the links the client keeps ready: those are not connections served.
    await waitUntil(() => server.stats().outcomes.done === 50);
    expect(server.stats()).toMatchObject({ failed: 0, active: 0 });
    expect(server.stats().accepted).toBeGreaterThanOrEqual(50);
  });

  it("reports the unique id and target of each connection", async () => {
    const target = teardown.add(await startEchoServer());
    const { port, server } = await pairTo(target);
    const closed = once(server, "connectionClosed") as Promise<[ConnectionInfo]>;
    await exchange(port, Buffer.from("hi"));
    const [info] = await closed;
    expect(info).toMatchObject({
      clientId: "000000000000test",
      target: `127.0.0.1:${target.port}`,
    });
  });
});

describe("user server", () => {
  it("relays bytes that arrive in the same segment as the request", async () => {
    const target = teardown.add(await startEchoServer());
    const server = await userServer();
    const socket = await connectTo(server.address().port);
    const frame = encodeLegacyRequest({ host: "127.0.0.1", port: target.port, uniqueId: "" });
    socket.end(Buffer.concat([frame, Buffer.from("early bytes")]));
    const chunks: Buffer[] = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    await once(socket, "end");
    expect(Buffer.concat(chunks).toString("latin1")).toBe(
      `${LEGACY_OK.toString("latin1")}early bytes`,
    );
    socket.destroy();
  });

  it("closes a bad frame without a reply, logs it, and keeps serving", async () => {
    const target = teardown.add(await startEchoServer());
    const server = await userServer();
    const socket = await connectTo(server.address().port);
    const failed = nextError(server);
    socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    const [, error] = await failed;
    expect(error.code).toBe("ERR_FWD_PROTOCOL");
    const got: Buffer[] = [];
    socket.on("data", (chunk) => got.push(chunk));
    await closedByPeer(socket);
    expect(Buffer.concat(got)).toHaveLength(0);
    // The next, good client is served.
    const client = await userClient(server.address(), target.port);
    expect((await exchange(client.address().port, Buffer.from("after"))).toString()).toBe("after");
  });

  it("drops a client that stays silent past the handshake timeout", async () => {
    const server = await userServer({ handshakeTimeoutMs: 150 });
    const socket = await connectTo(server.address().port);
    const [, error] = await nextError(server);
    expect(error.code).toBe("ERR_FWD_TIMEOUT");
    await closedByPeer(socket);
  });

  it("closes a connection that ends mid-frame", async () => {
    const server = await userServer();
    const socket = await connectTo(server.address().port);
    const failed = nextError(server);
    socket.end(encodeLegacyRequest({ host: "127.0.0.1", port: 1, uniqueId: "" }).subarray(0, 20));
    expect((await failed)[1].code).toBe("ERR_FWD_HANDSHAKE_CLOSED");
    await closedByPeer(socket);
  });

  it("refuses a port outside 1-65535", async () => {
    const server = await userServer();
    const socket = await connectTo(server.address().port);
    const frame = encodeLegacyRequest({ host: "127.0.0.1", port: 0, uniqueId: "" });
    frame.writeInt32LE(-5, 9);
    const failed = nextError(server);
    socket.write(frame);
    expect((await failed)[1].message).toMatch(/port -5/);
    await closedByPeer(socket);
  });

  it("tells a v2 client why the target is unreachable", async () => {
    const server = await userServer();
    const client = await userClient(server.address(), await freePort());
    const clientFailed = nextError(client);
    const socket = await connectTo(client.address().port);
    const [, error] = await clientFailed;
    expect(error.code).toBe("ERR_FWD_CONN_REFUSED");
    expect(error.message).toMatch(/cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    await closedByPeer(socket);
  });

  it("closes without a reply when the target is unreachable; the legacy TS client says so", async () => {
    const server = await userServer();
    const client = await userClient(server.address(), await freePort(), { protocol: "legacy" });
    const serverFailed = nextError(server);
    const clientFailed = nextError(client);
    const socket = await connectTo(client.address().port);
    expect((await serverFailed)[1].code).toBe("ERR_FWD_CONN_REFUSED");
    const [, error] = await clientFailed;
    expect(error.code).toBe("ERR_FWD_REFUSED");
    expect(error.message).toMatch(/closed the connection without accepting/);
    await closedByPeer(socket);
    expect(client.state).toBe("running");
  });
});

describe("user client", () => {
  it("closes the local connection when the server is unreachable, and keeps serving", async () => {
    const target = teardown.add(await startEchoServer());
    const deadServer = { port: await freePort() };
    const client = await userClient(deadServer, target.port);
    for (let i = 0; i < 2; i++) {
      const failed = nextError(client);
      const socket = await connectTo(client.address().port);
      expect((await failed)[1].code).toBe("ERR_FWD_CONN_REFUSED");
      await closedByPeer(socket);
    }
    expect(client.stats()).toMatchObject({ accepted: 2, failed: 2, active: 0 });
  });

  it("reports an EX reply as a refusal", async () => {
    const fake = teardown.add(
      await startServer((socket) => socket.once("data", () => socket.end(LEGACY_EX))),
    );
    const client = await userClient(fake, 1);
    const failed = nextError(client);
    const socket = await connectTo(client.address().port);
    expect((await failed)[1]).toMatchObject({
      code: "ERR_FWD_REFUSED",
      message: expect.stringMatching(/refused/),
    });
    await closedByPeer(socket);
  });

  it("reports garbage from the server as a protocol error", async () => {
    const fake = teardown.add(
      await startServer((socket) => socket.once("data", () => socket.end("SSH-2.0-OpenSSH\r\n"))),
    );
    const client = await userClient(fake, 1);
    const failed = nextError(client);
    const socket = await connectTo(client.address().port);
    expect((await failed)[1].code).toBe("ERR_FWD_PROTOCOL");
    await closedByPeer(socket);
  });

  it("refuses at start a legacy target the frame cannot carry, or a long id", async () => {
    await expect(
      userClient({ port: 1 }, 1, { protocol: "legacy", target: { host: "db.lan", port: 1 } }),
    ).rejects.toMatchObject({
      code: "ERR_FWD_INVALID_ARG",
    });
    await expect(userClient({ port: 1 }, 1, { uniqueId: "x".repeat(17) })).rejects.toMatchObject({
      code: "ERR_FWD_INVALID_ARG",
    });
  });

  it("ends live relays at once on destroy()", async () => {
    const { port, client, server } = await pairTo(teardown.add(await startEchoServer()));
    const socket = await connectTo(port);
    socket.write("x");
    await once(socket, "data");
    await client.destroy();
    await closedByPeer(socket);
    expect(client.stats().active).toBe(0);
    await server.destroy();
    expect(server.stats().active).toBe(0);
  });

  it("drains on close(): refuses new connections, lets open ones finish", async () => {
    const { port, client } = await pairTo(teardown.add(await startEchoServer()));
    const socket = await connectTo(port);
    socket.write("x");
    await once(socket, "data");
    const closing = client.close();
    expect(client.state).toBe("closing");
    await expect(connectTo(port)).rejects.toMatchObject({ code: "ECONNREFUSED" });
    const echoed = once(socket, "data");
    socket.write("y");
    expect(String((await echoed)[0])).toBe("y");
    socket.end();
    await closing;
    expect(client.state).toBe("closed");
    expect(client.stats().outcomes.done).toBe(1);
  });
});
