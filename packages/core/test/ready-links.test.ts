import { once } from "node:events";
import { exchange, startEchoServer, Teardown, waitUntil } from "@fwd/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { Token } from "../src/auth.js";
import { startUserClient, type UserClientOptions } from "../src/user-client.js";
import { startUserServer, type UserServer } from "../src/user-server.js";

const teardown = new Teardown();
afterEach(() => teardown.run());
const loopback = { host: "127.0.0.1", port: 0 };
const token = Token.from("ready-secret");

async function pair(clientOptions: Partial<UserClientOptions> = {}, port = 0) {
  const echo = teardown.add(await startEchoServer());
  const server = teardown.add(
    await startUserServer({ bind: { host: "127.0.0.1", port }, token, heartbeatIntervalMs: 50 }),
  );
  const client = teardown.add(
    await startUserClient({
      bind: loopback,
      server: { host: "127.0.0.1", port: server.address().port },
      target: { host: "127.0.0.1", port: echo.port },
      token,
      heartbeatIntervalMs: 50,
      ...clientOptions,
    }),
  );
  return { echo, server, client };
}

describe("ready links (user pair, v2)", () => {
  it("keeps two links ready and serves a connection on one, then makes another", async () => {
    const { server, client } = await pair();
    await waitUntil(() => server.readyLinks === 2 && client.status().readyLinks === 2);
    const before = server.stats().accepted;
    const data = Buffer.from("through a ready link");
    expect((await exchange(client.address().port, data)).toString()).toBe(data.toString());
    await waitUntil(() => server.readyLinks === 2);
    // One link used, one made to replace it: no link made for the connection itself.
    expect(server.stats().accepted - before).toBe(1);
    expect(client.status()).toMatchObject({ server: "up", protocol: "v2" });
  });

  it("keeps links alive past the handshake timeout with heartbeats", async () => {
    const echo = teardown.add(await startEchoServer());
    const server = teardown.add(
      await startUserServer({
        bind: loopback,
        token,
        heartbeatIntervalMs: 30,
        handshakeTimeoutMs: 100,
      }),
    );
    const client = teardown.add(
      await startUserClient({
        bind: loopback,
        server: { host: "127.0.0.1", port: server.address().port },
        target: { host: "127.0.0.1", port: echo.port },
        token,
        heartbeatIntervalMs: 30,
        readyLinks: { min: 1, max: 1 },
      }),
    );
    await waitUntil(() => server.readyLinks === 1);
    const accepted = server.stats().accepted;
    // Wait for several heartbeats past the handshake timeout; the link must stay.
    await waitUntil(() => (client.status().rttMs ?? -1) >= 0);
    const until = Date.now() + 300;
    await waitUntil(() => Date.now() >= until, { timeoutMs: 2000 });
    expect(server.readyLinks).toBe(1);
    expect(server.stats().accepted).toBe(accepted);
    expect(server.stats().failed).toBe(0);
  });

  it("makes new links after the server restarts, and serves on them", async () => {
    const { server, client } = await pair();
    await waitUntil(() => server.readyLinks === 2);
    const port = server.address().port;
    await server.destroy();
    await waitUntil(() => client.status().readyLinks === 0);
    const restarted: UserServer = teardown.add(
      await startUserServer({ bind: { host: "127.0.0.1", port }, token, heartbeatIntervalMs: 50 }),
    );
    await waitUntil(() => restarted.readyLinks === 2, { timeoutMs: 5000 });
    const data = Buffer.from("after a restart");
    expect((await exchange(client.address().port, data)).toString()).toBe(data.toString());
  });

  it("keeps no links with readyLinks.max 0: each connection makes its own", async () => {
    const { server, client } = await pair({ readyLinks: { max: 0 } });
    const connected = once(server, "connection");
    await exchange(client.address().port, Buffer.from("own link"));
    await connected;
    expect(server.readyLinks).toBe(0);
    expect(client.status().readyLinks).toBe(0);
  });
});
