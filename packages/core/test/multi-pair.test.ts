import { once } from "node:events";
import { createServer, type Socket } from "node:net";
import {
  connectTo,
  exchange,
  freePort,
  payload,
  readAll,
  sha256,
  startDigestServer,
  startEchoServer,
  startServer,
  Teardown,
  waitUntil,
  writeAll,
} from "@fwd/testkit";
import { afterEach, describe, expect, it } from "vitest";
import type { ConnectionInfo } from "../src/connection-info.js";
import type { FwdError } from "../src/errors.js";
import {
  MultiClient,
  type MultiClientOptions,
  startMultiClient,
} from "../src/multi/multi-client.js";
import {
  type MultiServer,
  type MultiServerOptions,
  startMultiServer,
} from "../src/multi/multi-server.js";
import type { RegistrationState } from "../src/multi/registration-loop.js";
import { encodeLegacyRequest, LEGACY_EX, LEGACY_OK } from "../src/protocol/legacy.js";

const MB = 1024 * 1024;
const teardown = new Teardown();
afterEach(() => teardown.run());

async function multiServer(options: Partial<MultiServerOptions> = {}) {
  return teardown.add(await startMultiServer({ bind: { host: "127.0.0.1", port: 0 }, ...options }));
}

async function multiClient(
  server: { port: number },
  target: { port: number },
  options: Partial<MultiClientOptions> = {},
) {
  return teardown.add(
    await startMultiClient({
      server: { host: "127.0.0.1", port: server.port },
      target: { host: "127.0.0.1", port: target.port },
      publicHost: "127.0.0.1",
      publicPort: options.publicPort ?? (await freePort()),
      uniqueId: "home-pc",
      backoff: { initialMs: 20, maxMs: 200 },
      ...options,
    }),
  );
}

function nextState(
  client: MultiClient,
  wanted: RegistrationState["state"],
): Promise<RegistrationState> {
  return new Promise((resolve) => {
    const onState = (state: RegistrationState) => {
      if (state.state !== wanted) return;
      client.off("state", onState);
      resolve(state);
    };
    client.on("state", onState);
  });
}

/** Waits until the server has a registration waiting on `port`. */
async function registrationWaiting(server: MultiServer, port: number): Promise<void> {
  await waitUntil(
    () => server.publicPorts().some((p) => p.port.endsWith(`:${port}`) && p.waiting > 0),
    {
      what: `a registration waiting on port ${port}`,
    },
  );
}

/** A TS pair whose public port reaches `target`. */
async function tunnelTo(target: { port: number }, serverOptions: Partial<MultiServerOptions> = {}) {
  const server = await multiServer(serverOptions);
  const publicPort = await freePort();
  const client = await multiClient(server.address(), target, { publicPort });
  await registrationWaiting(server, publicPort);
  return { server, client, publicPort };
}

/** A hand-made registration: the legacy frame on a raw socket. */
async function register(server: MultiServer, publicPort: number, id = "raw"): Promise<Socket> {
  const socket = await connectTo(server.address().port);
  teardown.add(() => socket.destroy());
  socket.write(encodeLegacyRequest({ host: "127.0.0.1", port: publicPort, uniqueId: id }));
  return socket;
}

/** Reads exactly `n` bytes from a socket. */
function readExactly(socket: Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.length >= n) {
        socket.off("data", onData);
        socket.pause();
        if (got.length > n) socket.unshift(got.subarray(n));
        resolve(got.subarray(0, n));
      }
    };
    socket.on("data", onData);
    socket.once("error", reject);
    socket.resume();
  });
}

describe("multi pair (TS client and TS server)", () => {
  it("echoes 8 MB byte-identical through the public port", async () => {
    const { publicPort } = await tunnelTo(teardown.add(await startEchoServer()));
    const data = payload(8 * MB);
    expect(sha256(await exchange(publicPort, data))).toBe(sha256(data));
  });

  it("carries half-close the whole way: request, FIN, reply", async () => {
    const { publicPort } = await tunnelTo(teardown.add(await startDigestServer()));
    const request = payload(3 * MB);
    expect((await exchange(publicPort, request)).toString()).toBe(
      `${request.length} ${sha256(request)}\n`,
    );
  });

  it("lets the public client keep sending after the target's FIN", async () => {
    let targetGot: Promise<Buffer> = Promise.resolve(Buffer.alloc(0));
    const target = teardown.add(
      await startServer((socket) => {
        targetGot = readAll(socket);
        socket.end("bye\n");
      }),
    );
    const { publicPort } = await tunnelTo(target);
    const socket = await connectTo(publicPort);
    expect((await readAll(socket)).toString()).toBe("bye\n");
    const late = payload(MB);
    await writeAll(socket, late);
    await waitUntil(() => socket.closed || socket.readableEnded);
    expect(sha256(await targetGot)).toBe(sha256(late));
    socket.destroy();
  });

  it("serves 50 simultaneous public connections", async () => {
    const { publicPort, server } = await tunnelTo(teardown.add(await startEchoServer()));
    const payloads = Array.from({ length: 50 }, (_, i) => payload(100_000 + i));
    const echoed = await Promise.all(payloads.map((data) => exchange(publicPort, data)));
    expect(echoed.map(sha256)).toEqual(payloads.map(sha256));
    expect(server.stats().failed).toBe(0);
  });

  it("gives a restarted client its port back at once", async () => {
    const echo = teardown.add(await startEchoServer());
    const { server, client, publicPort } = await tunnelTo(echo);
    expect((await exchange(publicPort, Buffer.from("before"))).toString()).toBe("before");
    await client.close();
    const again = await multiClient(server.address(), echo, { publicPort });
    await nextState(again, "registered");
    expect((await exchange(publicPort, Buffer.from("after"))).toString()).toBe("after");
  });

  it("reconnects by itself when the server restarts", async () => {
    const echo = teardown.add(await startEchoServer());
    const { server, client, publicPort } = await tunnelTo(echo);
    const serverPort = server.address().port;
    const lost = nextState(client, "retrying");
    await server.close();
    await lost;
    const registeredAgain = nextState(client, "registered");
    const restarted = await multiServer({ bind: { host: "127.0.0.1", port: serverPort } });
    await registeredAgain;
    await registrationWaiting(restarted, publicPort);
    expect((await exchange(publicPort, Buffer.from("back"))).toString()).toBe("back");
  });

  it("ends its relays at once on destroy()", async () => {
    const { client, publicPort } = await tunnelTo(teardown.add(await startEchoServer()));
    const socket = await connectTo(publicPort);
    socket.write("x");
    await once(socket, "data");
    expect(client.stats().active).toBe(1);
    await client.destroy();
    expect(client.stats().active).toBe(0);
    expect(client.state).toBe("closed");
    socket.destroy();
  });

  it("drains on close(): stops registering, lets an open relay finish", async () => {
    const { server, client, publicPort } = await tunnelTo(teardown.add(await startEchoServer()));
    const socket = await connectTo(publicPort);
    socket.write("x");
    await once(socket, "data");
    let closed = false;
    const closing = client.close().then(() => {
      closed = true;
    });
    await waitUntil(() => server.publicPorts().every((port) => port.waiting === 0));
    expect(client.state).toBe("closing");
    // The open relay still carries data both ways while the client drains.
    const echoed = once(socket, "data");
    socket.write("y");
    expect(String((await echoed)[0])).toBe("y");
    expect(closed).toBe(false);
    socket.end();
    await closing;
    expect(client.stats().active).toBe(0);
  });

  it("closes the public connection when the target is unreachable, and keeps registering", async () => {
    const server = await multiServer();
    const publicPort = await freePort();
    const client = await multiClient(server.address(), { port: await freePort() }, { publicPort });
    await registrationWaiting(server, publicPort);
    const failed = once(client, "connectionError") as Promise<[ConnectionInfo, FwdError]>;
    const socket = await connectTo(publicPort);
    socket.resume();
    expect((await failed)[1].code).toBe("ERR_FWD_CONN_REFUSED");
    await Promise.race([once(socket, "end"), once(socket, "close")]);
    socket.destroy();
    await registrationWaiting(server, publicPort);
  });
});

describe("multi server", () => {
  it("keeps the public port open and holds a connection until the next registration", async () => {
    const server = await multiServer();
    const publicPort = await freePort();
    const first = await register(server, publicPort);
    await registrationWaiting(server, publicPort);
    // A public connection pairs with the waiting registration.
    const public1 = await connectTo(publicPort);
    expect(await readExactly(first, LEGACY_OK.length)).toEqual(LEGACY_OK);
    public1.write("to client 1");
    expect((await readExactly(first, 11)).toString()).toBe("to client 1");
    // No registration waits now: the next public connection is held, not refused.
    const public2 = await connectTo(publicPort);
    await waitUntil(() => server.publicPorts()[0]?.held === 1, { what: "a held connection" });
    public2.write("held bytes");
    const second = await register(server, publicPort);
    expect((await readExactly(second, LEGACY_OK.length + 10)).toString("latin1")).toBe(
      `${LEGACY_OK.toString("latin1")}held bytes`,
    );
    second.write("reply 2");
    expect((await readExactly(public2, 7)).toString()).toBe("reply 2");
    for (const socket of [public1, public2]) socket.destroy();
  });

  it("closes a held public connection when no registration comes in time", async () => {
    const server = await multiServer({ holdTimeoutMs: 150 });
    const publicPort = await freePort();
    const registration = await register(server, publicPort);
    await registrationWaiting(server, publicPort);
    const paired = await connectTo(publicPort);
    const held = await connectTo(publicPort);
    const [, error] = (await once(server, "connectionError")) as [ConnectionInfo, FwdError];
    expect(error.code).toBe("ERR_FWD_TIMEOUT");
    held.resume();
    await once(held, "end");
    for (const socket of [paired, held, registration]) socket.destroy();
  });

  it("answers EX to another id for a port that is taken, and OK-pairs the owner", async () => {
    const server = await multiServer();
    const publicPort = await freePort();
    await register(server, publicPort, "owner");
    await registrationWaiting(server, publicPort);
    const intruder = await register(server, publicPort, "intruder");
    const reply = readAll(intruder);
    const [, error] = (await once(server, "connectionError")) as [ConnectionInfo, FwdError];
    expect(error.message).toMatch(/belongs to client "00000000000owner"/);
    expect(await reply).toEqual(LEGACY_EX);
    expect(server.publicPorts()).toEqual([
      expect.objectContaining({
        port: `127.0.0.1:${publicPort}`,
        owner: "00000000000owner",
        ownerAddress: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
        protocol: "legacy",
        waiting: 1,
        held: 0,
        relays: 0,
      }),
    ]);
  });

  it("answers EX when the port cannot be bound", async () => {
    const squatter = createServer();
    squatter.listen(0, "127.0.0.1");
    await once(squatter, "listening");
    teardown.add(() => new Promise((resolve) => squatter.close(resolve)));
    const server = await multiServer();
    const socket = await register(server, (squatter.address() as { port: number }).port);
    expect(await readAll(socket)).toEqual(LEGACY_EX);
  });

  it("opens any free port for a v2 client asking for port 0, and releases it by its number", async () => {
    const server = await multiServer({ portLingerMs: 50 });
    const echo = teardown.add(await startEchoServer());
    const opened = once(server, "portOpened") as Promise<[{ port: string }]>;
    const client = new MultiClient({
      server: { host: "127.0.0.1", port: server.address().port },
      target: { host: "127.0.0.1", port: echo.port },
      publicHost: "127.0.0.1",
      publicPort: 0,
      protocol: "v2",
    });
    teardown.add(client);
    const registered = nextState(client, "registered");
    await client.start();
    const [{ port }] = await opened;
    const number = Number(port.split(":").at(-1));
    expect(number).toBeGreaterThan(0);
    expect(await registered).toMatchObject({ state: "registered", protocol: "v2", port: number });
    expect(client.status().publicPort).toBe(number);
    expect((await exchange(number, Buffer.from("any port"))).toString()).toBe("any port");
    const released = once(server, "portReleased") as Promise<[{ port: string }]>;
    await client.destroy();
    expect((await released)[0].port).toBe(port);
    expect(server.publicPorts()).toEqual([]);
  });

  it("releases a port whose owner is gone, for anyone", async () => {
    const server = await multiServer({ portLingerMs: 50 });
    const publicPort = await freePort();
    const owner = await register(server, publicPort, "first");
    await registrationWaiting(server, publicPort);
    owner.destroy();
    await waitUntil(() => server.publicPorts().length === 0, { what: "the port to be released" });
    await register(server, publicPort, "second");
    await registrationWaiting(server, publicPort);
    expect(server.publicPorts()[0]?.owner).toBe("0000000000second");
  });

  it("refuses registrations past the cap per port", async () => {
    const server = await multiServer({ maxWaitingPerPort: 2 });
    const publicPort = await freePort();
    await register(server, publicPort);
    await register(server, publicPort);
    await waitUntil(() => server.publicPorts()[0]?.waiting === 2);
    const third = await register(server, publicPort);
    expect(await readAll(third)).toEqual(LEGACY_EX);
    expect(server.publicPorts()[0]?.waiting).toBe(2);
  });

  it("keeps a held public connection past the linger, for its hold timeout", async () => {
    const server = await multiServer({ portLingerMs: 20, holdTimeoutMs: 5000 });
    const publicPort = await freePort();
    const owner = await register(server, publicPort);
    await registrationWaiting(server, publicPort);
    const paired = await connectTo(publicPort);
    await readExactly(owner, LEGACY_OK.length);
    const held = await connectTo(publicPort);
    await waitUntil(() => server.publicPorts()[0]?.held === 1);
    // The owner's relay ends: nothing waits, but a public connection is held.
    owner.destroy();
    paired.destroy();
    await waitUntil(() => server.publicPorts()[0]?.relays === 0);
    const next = await register(server, publicPort);
    expect(await readExactly(next, LEGACY_OK.length)).toEqual(LEGACY_OK);
    held.destroy();
  });

  it("closes a bad registration frame and keeps serving", async () => {
    const echo = teardown.add(await startEchoServer());
    const server = await multiServer();
    const bad = await connectTo(server.address().port);
    bad.write("GET / HTTP/1.0\r\n\r\n");
    const [, error] = (await once(server, "connectionError")) as [ConnectionInfo, FwdError];
    expect(error.code).toBe("ERR_FWD_PROTOCOL");
    bad.resume();
    await once(bad, "end");
    bad.destroy();
    const publicPort = await freePort();
    await multiClient(server.address(), echo, { publicPort });
    await registrationWaiting(server, publicPort);
    expect((await exchange(publicPort, Buffer.from("still"))).toString()).toBe("still");
  });

  it("drops a registration that sends data before it is paired", async () => {
    const server = await multiServer();
    const publicPort = await freePort();
    const early = await register(server, publicPort);
    await registrationWaiting(server, publicPort);
    early.write("too soon");
    const [, error] = (await once(server, "connectionError")) as [ConnectionInfo, FwdError];
    expect(error.message).toMatch(/before its registration was paired/);
    await waitUntil(() => (server.publicPorts()[0]?.waiting ?? 0) === 0);
  });
});
