import {
  binPath,
  connectWithRetry,
  echoWithoutEof,
  exchange,
  freePort,
  logLine,
  payload,
  sha256,
  startEchoServer,
  startLegacyPeer,
  startListeningBin,
  startNode,
  Teardown,
} from "@fwd/testkit";
import { afterEach, describe, expect, it } from "vitest";

const MB = 1024 * 1024;
const clientBin = binPath("multi-client");
const serverBin = binPath("multi-server");
const teardown = new Teardown();
afterEach(() => teardown.run());

async function startServerBin(port = 0) {
  return teardown.kill(
    await startListeningBin(serverBin, ["--bind_host=127.0.0.1", `--bind_port=${port}`]),
  );
}

/** Starts a multi-client bin and waits for its first registration. */
async function startClientBin(
  serverPort: number,
  targetPort: number,
  publicPort: number,
  extra: string[] = [],
) {
  const client = teardown.kill(
    startNode(clientBin, [
      "--server_host=127.0.0.1",
      `--server_port=${serverPort}`,
      "--target_host=127.0.0.1",
      `--target_port=${targetPort}`,
      `--server_target_port=${publicPort}`,
      ...extra,
    ]),
  );
  // v2 servers confirm; a legacy server is only asked (it answers with the first visitor).
  await client.waitFor(/registered with server|asked server .* for public port/);
  return client;
}

/** Echo through the public port once it accepts (the server binds it on registration). */
async function echoThrough(publicPort: number, data: Buffer): Promise<Buffer> {
  await (await connectWithRetry(publicPort)).destroy();
  return exchange(publicPort, data);
}

describe("multi-client and multi-server bins", () => {
  it("echo 8 MB byte-identical through the public port", async () => {
    const echo = teardown.add(await startEchoServer());
    const server = await startServerBin();
    const publicPort = await freePort();
    await startClientBin(server.port, echo.port, publicPort, ["--unique_id=home-pc"]);
    const data = payload(8 * MB);
    expect(sha256(await echoThrough(publicPort, data))).toBe(sha256(data));
  });

  it("serve 50 simultaneous public connections intact", async () => {
    const echo = teardown.add(await startEchoServer());
    const server = await startServerBin();
    const publicPort = await freePort();
    await startClientBin(server.port, echo.port, publicPort);
    await echoThrough(publicPort, Buffer.from("warm up"));
    const payloads = Array.from({ length: 50 }, (_, i) => payload(64 * 1024 + i));
    const echoed = await Promise.all(payloads.map((data) => exchange(publicPort, data)));
    expect(echoed.map(sha256)).toEqual(payloads.map(sha256));
  });

  it("the client waits out a server that is down, then registers by itself", async () => {
    const echo = teardown.add(await startEchoServer());
    const serverPort = await freePort();
    const publicPort = await freePort();
    const client = teardown.kill(
      startNode(clientBin, [
        "--server_host=127.0.0.1",
        `--server_port=${serverPort}`,
        "--target_host=127.0.0.1",
        `--target_port=${echo.port}`,
        `--server_target_port=${publicPort}`,
      ]),
    );
    await client.waitFor(
      /warn {2}multi-client: cannot connect to 127\.0\.0\.1:\d+: connection refused;.*; retrying \(next attempt in 0\.\d s\)/,
    );
    await startServerBin(serverPort);
    await client.waitFor(/registered with server/);
    expect((await echoThrough(publicPort, Buffer.from("late server"))).toString()).toBe(
      "late server",
    );
    // One warning for the whole outage, however many attempts it took.
    expect(client.stderr().match(/ warn {2}/g)).toHaveLength(1);
    expect(await client.stop("SIGINT")).toBe(0);
  }, 20_000); // the retry after the server comes up may be a full backoff step (up to 5 s) away

  it("exits 2 with one line on bad usage", async () => {
    const run = startNode(clientBin, ["--server_target_port=abc"]);
    expect(await run.exited).toBe(2);
    const lines = run.stderr().trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      logLine(
        "multi-client",
        '--server_target_port must be a port number from 0 to 65535, got "abc"$',
        {
          level: "error",
        },
      ),
    );
  });
});

describe("interop with the legacy peer", () => {
  it("TS multi-client through a legacy multi-server: repeated connections both ways", async () => {
    const echo = teardown.add(await startEchoServer());
    const legacy = teardown.kill(await startLegacyPeer("multi-server", {}));
    const publicPort = await freePort();
    await startClientBin(legacy.port, echo.port, publicPort, ["--unique_id=ts-client"]);
    // The legacy server closes its public port after each pairing and opens it
    // again on the next registration, which the TS client sends at once.
    for (let i = 0; i < 5; i++) {
      const data = payload(256 * 1024 + i);
      expect(sha256(await echoWithoutEof(publicPort, data, (port) => connectWithRetry(port)))).toBe(
        sha256(data),
      );
    }
    expect(
      legacy.stdout().match(/register 0\.0\.0\.0:\d+ id=b'0000000ts-client'/g)?.length,
    ).toBeGreaterThanOrEqual(5);
  });
});
