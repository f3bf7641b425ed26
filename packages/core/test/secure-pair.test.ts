import { once } from "node:events";
import type { Socket } from "node:net";
import {
  connectTo,
  exchange,
  freePort,
  makeCertificate,
  payload,
  readAll,
  sha256,
  startDigestServer,
  startEchoServer,
  startServer,
  Teardown,
  type TestCertificate,
  waitUntil,
  writeAll,
} from "@fwd/testkit";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { PortAllowlist, TargetAllowlist } from "../src/allowlist.js";
import { Token } from "../src/auth.js";
import type { ConnectionInfo } from "../src/connection-info.js";
import type { FwdError } from "../src/errors.js";
import { type MultiClientOptions, startMultiClient } from "../src/multi/multi-client.js";
import { type MultiServerOptions, startMultiServer } from "../src/multi/multi-server.js";
import type { RegistrationState } from "../src/multi/registration-loop.js";
import type { FwdService } from "../src/service.js";
import { loadServerTls } from "../src/tls.js";
import { startUserClient, type UserClientOptions } from "../src/user-client.js";
import { startUserServer, type UserServerOptions } from "../src/user-server.js";

const teardown = new Teardown();
afterEach(() => teardown.run());
const loopback = { host: "127.0.0.1", port: 0 };
const token = Token.from("tunnel-secret");
let certificate: TestCertificate;
beforeAll(async () => {
  certificate = await makeCertificate();
});

async function userServer(options: Partial<UserServerOptions> = {}) {
  return teardown.add(await startUserServer({ bind: loopback, ...options }));
}

async function userClient(
  serverPort: number,
  target: { host: string; port: number },
  options: Partial<UserClientOptions> = {},
) {
  return teardown.add(
    await startUserClient({
      bind: loopback,
      server: { host: "127.0.0.1", port: serverPort },
      target,
      ...options,
    }),
  );
}

function nextError(service: FwdService): Promise<FwdError> {
  return new Promise((resolve) =>
    service.on("connectionError", (_info: ConnectionInfo, error) => resolve(error)),
  );
}

/** Connects through a user-client and returns the error it reports for that connection. */
async function refusedThrough(client: { address(): { port: number } } & FwdService) {
  const failed = nextError(client);
  const socket = await connectTo(client.address().port);
  socket.resume();
  const error = await failed;
  socket.destroy();
  return error;
}

describe("user pair with a token", () => {
  it("serves the right token over v2", async () => {
    const echo = teardown.add(await startEchoServer());
    const server = await userServer({ token });
    const client = await userClient(
      server.address().port,
      { host: "127.0.0.1", port: echo.port },
      { token },
    );
    const data = payload(2 * 1024 * 1024);
    expect(sha256(await exchange(client.address().port, data))).toBe(sha256(data));
  });

  it("stops a client with a wrong token at start, when it makes its ready links", async () => {
    const server = await userServer({ token });
    const serverError = nextError(server);
    const client = await userClient(
      server.address().port,
      { host: "127.0.0.1", port: 1 },
      { token: Token.from("guess") },
    );
    await expect(client.done).rejects.toMatchObject({
      code: "ERR_FWD_AUTH_FAILED",
      message: expect.stringMatching(/refused the token/),
    });
    expect(client.stats().accepted).toBe(0);
    expect((await serverError).message).toMatch(/tried to authenticate with a wrong token/);
  });

  it("refuses a wrong token on a connection: the client says why and stops", async () => {
    const server = await userServer({ token });
    const serverError = nextError(server);
    const client = await userClient(
      server.address().port,
      { host: "127.0.0.1", port: 1 },
      { token: Token.from("guess"), readyLinks: { max: 0 } },
    );
    const error = await refusedThrough(client);
    expect(error).toMatchObject({
      code: "ERR_FWD_AUTH_FAILED",
      message: expect.stringMatching(/refused the token/),
    });
    await expect(client.done).rejects.toMatchObject({ code: "ERR_FWD_AUTH_FAILED" });
    expect((await serverError).message).toMatch(/tried to authenticate with a wrong token/);
  });

  it("refuses a v2 client without a token", async () => {
    const server = await userServer({ token });
    const client = await userClient(
      server.address().port,
      { host: "127.0.0.1", port: 1 },
      { protocol: "v2", readyLinks: { max: 0 } },
    );
    expect(await refusedThrough(client)).toMatchObject({ code: "ERR_FWD_AUTH_FAILED" });
  });

  it("refuses a legacy client, logging who tried", async () => {
    const server = await userServer({ token });
    const serverError = nextError(server);
    const client = await userClient(
      server.address().port,
      { host: "127.0.0.1", port: 1 },
      { uniqueId: "oldie", protocol: "legacy" },
    );
    expect(await refusedThrough(client)).toMatchObject({ code: "ERR_FWD_REFUSED" });
    expect((await serverError).message).toMatch(
      /client 127\.0\.0\.1:\d+ \(id "00000000000oldie"\) speaks the legacy protocol/,
    );
  });

  it("refuses a client whose token the server does not use", async () => {
    const server = await userServer();
    const client = await userClient(
      server.address().port,
      { host: "127.0.0.1", port: 1 },
      { token, readyLinks: { max: 0 } },
    );
    expect(await refusedThrough(client)).toMatchObject({
      code: "ERR_FWD_AUTH_FAILED",
      message: expect.stringMatching(/does not use a token/),
    });
  });
});

describe("user-server allowlist", () => {
  it("serves an allowed target and refuses others with the reason", async () => {
    const echo = teardown.add(await startEchoServer());
    const server = await userServer({
      allowTargets: TargetAllowlist.parse(`127.0.0.1:${echo.port}`),
    });
    const allowed = await userClient(server.address().port, { host: "127.0.0.1", port: echo.port });
    expect((await exchange(allowed.address().port, Buffer.from("ok"))).toString()).toBe("ok");
    const denied = await userClient(
      server.address().port,
      { host: "127.0.0.1", port: echo.port + 1 },
      { protocol: "v2" },
    );
    expect(await refusedThrough(denied)).toMatchObject({
      code: "ERR_FWD_TARGET_NOT_ALLOWED",
      message: expect.stringMatching(
        /does not allow 127\.0\.0\.1:\d+: not in the server's target allowlist/,
      ),
    });
  });

  it("refuses a host name with a NUL that would split the check from the lookup", async () => {
    const echo = teardown.add(await startEchoServer());
    const server = await userServer({ allowTargets: TargetAllowlist.parse(`*.corp:${echo.port}`) });
    const client = await userClient(server.address().port, {
      host: "127.0.0.1\u0000.corp",
      port: echo.port,
    });
    expect(await refusedThrough(client)).toMatchObject({ code: "ERR_FWD_PROTOCOL" });
  });

  it("checks a host name by the address it resolves to", async () => {
    const echo = teardown.add(await startEchoServer());
    const server = await userServer({ allowTargets: TargetAllowlist.parse("10.0.0.0/8") });
    const client = await userClient(server.address().port, { host: "localhost", port: echo.port });
    expect((await refusedThrough(client)).code).toBe("ERR_FWD_TARGET_NOT_ALLOWED");
  });

  it("reports an unreachable target with its errno", async () => {
    const server = await userServer();
    const client = await userClient(
      server.address().port,
      { host: "127.0.0.1", port: await freePort() },
      { protocol: "v2" },
    );
    expect(await refusedThrough(client)).toMatchObject({
      code: "ERR_FWD_CONN_REFUSED",
      errno: "ECONNREFUSED",
      message: expect.stringMatching(/cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/),
    });
  });
});

describe("a v2 client meeting a server that is not v2", () => {
  it.each([
    ["closes", (socket: Socket) => socket.end()],
    ["resets", (socket: Socket) => socket.resetAndDestroy()],
  ])("suggests protocol legacy when the server %s on the hello", async (_, hangUp) => {
    const legacyLike = teardown.add(
      await startServer((socket) => socket.once("data", () => hangUp(socket))),
    );
    const client = await userClient(
      legacyLike.port,
      { host: "127.0.0.1", port: 1 },
      { protocol: "v2" },
    );
    expect(await refusedThrough(client)).toMatchObject({
      code: "ERR_FWD_HANDSHAKE_CLOSED",
      message: expect.stringMatching(/if it is a legacy server, set `protocol` to legacy/),
    });
  });
});

describe("host names and IPv6 over v2", () => {
  it.each([
    ["a host name", "localhost", "127.0.0.1"],
    ["an IPv6 address", "::1", "::1"],
  ])("reaches %s", async (_, host, listenOn) => {
    const echo = teardown.add(await startEchoServer(listenOn));
    const server = await userServer();
    const client = await userClient(server.address().port, { host, port: echo.port });
    expect((await exchange(client.address().port, Buffer.from(`via ${host}`))).toString()).toBe(
      `via ${host}`,
    );
  });
});

describe("TLS", () => {
  async function tlsServer(options: Partial<UserServerOptions> = {}) {
    return userServer({ tls: loadServerTls(certificate), ...options });
  }

  /** A token and TLS pair in front of an echo service, the client pinning the certificate; returns the client's port. */
  async function pinnedPairToEcho(): Promise<number> {
    const echo = teardown.add(await startEchoServer());
    const server = await tlsServer({ token });
    const client = await userClient(
      server.address().port,
      { host: "127.0.0.1", port: echo.port },
      { token, tls: { fingerprint: certificate.fingerprint } },
    );
    return client.address().port;
  }

  it("carries data with a pinned fingerprint", async () => {
    const port = await pinnedPairToEcho();
    const data = payload(3 * 1024 * 1024);
    expect(sha256(await exchange(port, data))).toBe(sha256(data));
  });

  it("carries concurrent bulk streams intact both ways while lent chunks are copied into reused blocks", async () => {
    const port = await pinnedPairToEcho();
    const streams = Array.from({ length: 4 }, () => payload(8 * 1024 * 1024));
    const echoed = await Promise.all(streams.map((data) => exchange(port, data)));
    expect(echoed.map(sha256)).toEqual(streams.map(sha256));
  });

  it("verifies against a CA file", async () => {
    const echo = teardown.add(await startEchoServer());
    const server = await tlsServer();
    const client = await userClient(
      server.address().port,
      { host: "127.0.0.1", port: echo.port },
      { tls: { ca: certificate.cert } },
    );
    expect((await exchange(client.address().port, Buffer.from("ca"))).toString()).toBe("ca");
  });

  it("says in one line that a client without TLS met a TLS server, on both sides", async () => {
    const server = await tlsServer();
    const serverError = nextError(server);
    const client = await userClient(server.address().port, { host: "127.0.0.1", port: 1 });
    const clientError = await refusedThrough(client);
    expect(clientError.message).toMatch(
      /broke off both the fwd v2 and the legacy handshake: if it uses TLS, add `tls`/,
    );
    const error = await serverError;
    expect(error).toMatchObject({ code: "ERR_FWD_TLS" });
    expect(error.message).toMatch(
      /^handshake with client 127\.0\.0\.1:\d+: the client does not speak TLS: give it `tls`/,
    );
    expect(error.message).not.toContain("\n");
  });

  it("says in one line that a TLS client met a server without TLS", async () => {
    const server = await userServer();
    const client = await userClient(
      server.address().port,
      { host: "127.0.0.1", port: 1 },
      { tls: { fingerprint: certificate.fingerprint }, readyLinks: { max: 0 } },
    );
    const error = await refusedThrough(client);
    expect(error).toMatchObject({ code: "ERR_FWD_CONN_RESET" });
    expect(error.message).toMatch(
      /the server broke off the TLS handshake; if it does not speak TLS, drop `tls`/,
    );
    expect(error.message).not.toContain("\n");
  });

  it("refuses a wrong pin, and stops the client", async () => {
    const server = await tlsServer();
    const wrong = `sha256:${"AB:".repeat(31)}AB`;
    const client = await userClient(
      server.address().port,
      { host: "127.0.0.1", port: 1 },
      { tls: { fingerprint: wrong }, readyLinks: { max: 0 } },
    );
    expect(await refusedThrough(client)).toMatchObject({
      code: "ERR_FWD_TLS",
      message: expect.stringMatching(/does not match `tls.fingerprint`/),
    });
    await expect(client.done).rejects.toMatchObject({ code: "ERR_FWD_TLS" });
  });

  it("refuses an unverified self-signed certificate without a pin or CA", async () => {
    const server = await tlsServer();
    const client = await userClient(
      server.address().port,
      { host: "127.0.0.1", port: 1 },
      { tls: {}, readyLinks: { max: 0 } },
    );
    expect((await refusedThrough(client)).code).toBe("ERR_FWD_TLS");
  });
});

describe("multi pair, secured", () => {
  async function multiServer(options: Partial<MultiServerOptions> = {}) {
    return teardown.add(
      await startMultiServer({ bind: loopback, publicHost: "127.0.0.1", ...options }),
    );
  }

  async function multiClient(
    serverPort: number,
    targetPort: number,
    options: Partial<MultiClientOptions> = {},
  ) {
    return teardown.add(
      await startMultiClient({
        server: { host: "127.0.0.1", port: serverPort },
        target: { host: "127.0.0.1", port: targetPort },
        publicPort: await freePort(),
        backoff: { initialMs: 20, maxMs: 100 },
        ...options,
      }),
    );
  }

  function state(
    client: { on(event: "state", listener: (s: RegistrationState) => void): unknown },
    wanted: string,
  ) {
    return new Promise<RegistrationState>((resolve) =>
      client.on("state", (s) => {
        if (s.state === wanted) resolve(s);
      }),
    );
  }

  it("carries a half-close both ways over TLS: a reply sent after the visitor's FIN arrives", async () => {
    const digest = teardown.add(await startDigestServer());
    const server = await multiServer({ token, tls: loadServerTls(certificate) });
    const client = await multiClient(server.address().port, digest.port, {
      publicPort: 0,
      protocol: "v2",
      token,
      tls: { fingerprint: certificate.fingerprint },
    });
    const registered = await state(client, "registered");
    const { port } = registered as { port: number };
    for (const size of [1, 300_000]) {
      const data = payload(size);
      const socket = await connectTo(port);
      const [reply] = await Promise.all([readAll(socket), writeAll(socket, data)]);
      expect(reply.toString()).toBe(`${size} ${sha256(data)}\n`);
      socket.destroy();
    }
  });

  it("tunnels over TLS with a token: 20 public connections at once", async () => {
    const echo = teardown.add(await startEchoServer());
    const server = await multiServer({ token, tls: loadServerTls(certificate) });
    const publicPort = await freePort();
    const client = await multiClient(server.address().port, echo.port, {
      publicPort,
      token,
      tls: { fingerprint: certificate.fingerprint },
    });
    await state(client, "registered");
    await waitUntil(() => (server.publicPorts()[0]?.waiting ?? 0) >= 1);
    const payloads = Array.from({ length: 20 }, (_, i) => payload(50_000 + i));
    const echoed = await Promise.all(payloads.map((data) => exchange(publicPort, data)));
    expect(echoed.map(sha256)).toEqual(payloads.map(sha256));
  });

  it("stops a client asking for a port outside the allowlist, with the reason", async () => {
    const server = await multiServer({ allowPorts: PortAllowlist.parse("1-1023") });
    const client = await multiClient(server.address().port, 1, { protocol: "v2" });
    const stopped = await state(client, "stopped");
    expect(stopped).toMatchObject({
      error: {
        code: "ERR_FWD_PORT_NOT_ALLOWED",
        message: expect.stringMatching(/not in the server's port allowlist \(1-1023\)/),
      },
    });
    await expect(client.done).rejects.toMatchObject({ code: "ERR_FWD_PORT_NOT_ALLOWED" });
  });

  it("stops a client with a wrong token", async () => {
    const server = await multiServer({ token });
    const client = await multiClient(server.address().port, 1, { token: Token.from("nope") });
    await expect(client.done).rejects.toMatchObject({ code: "ERR_FWD_AUTH_FAILED" });
  });

  it("backs off from a port another id holds, as port_in_use", async () => {
    const server = await multiServer();
    const publicPort = await freePort();
    await multiClient(server.address().port, 1, { publicPort, protocol: "v2", uniqueId: "first" });
    await waitUntil(() => (server.publicPorts()[0]?.waiting ?? 0) >= 1);
    const second = await multiClient(server.address().port, 1, {
      publicPort,
      protocol: "v2",
      uniqueId: "second",
    });
    const refused = await state(second, "refused");
    expect(refused).toMatchObject({ error: { code: "ERR_FWD_ADDR_IN_USE" } });
  });
});

describe("handshake limits", () => {
  it("closes connections past the cap on handshakes in progress", async () => {
    const server = await userServer({ maxHandshakes: 2 });
    const silent = [await connectTo(server.address().port), await connectTo(server.address().port)];
    await waitUntil(() => server.stats().accepted === 2);
    const failed = nextError(server);
    const third = await connectTo(server.address().port);
    expect((await failed).message).toMatch(/2 handshakes already in progress/);
    third.resume();
    await once(third, "end");
    for (const socket of [...silent, third]) socket.destroy();
  });
});
