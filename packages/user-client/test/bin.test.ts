import { once } from "node:events";
import {
  binPath,
  connectTo,
  echoWithoutEof,
  exchange,
  payload,
  sha256,
  startDigestServer,
  startEchoServer,
  startLegacyPeer,
  startListeningBin,
  startNode,
  startRefusingPort,
  Teardown,
} from "@fwd/testkit";
import { afterEach, describe, expect, it } from "vitest";

const MB = 1024 * 1024;
const clientBin = binPath("user-client");
const serverBin = binPath("user-server");
const teardown = new Teardown();
afterEach(() => teardown.run());

async function startClient(serverPort: number, targetPort: number, extra: string[] = []) {
  return teardown.kill(
    await startListeningBin(clientBin, [
      "--bind_host=127.0.0.1",
      "--bind_port=0",
      "--server_host=127.0.0.1",
      `--server_port=${serverPort}`,
      "--server_target_host=127.0.0.1",
      `--server_target_port=${targetPort}`,
      ...extra,
    ]),
  );
}

async function startServerBin() {
  return teardown.kill(
    await startListeningBin(serverBin, ["--bind_host=127.0.0.1", "--bind_port=0"]),
  );
}

describe("user-client and user-server bins", () => {
  it("echo 8 MB byte-identical, half-close included", async () => {
    const echo = teardown.add(await startEchoServer());
    const server = await startServerBin();
    const client = await startClient(server.port, echo.port, ["--unique_id=home-pc"]);
    const data = payload(8 * MB);
    expect(sha256(await exchange(client.port, data))).toBe(sha256(data));
  });

  it("deliver a reply sent after the request's FIN", async () => {
    const digest = teardown.add(await startDigestServer());
    const server = await startServerBin();
    const client = await startClient(server.port, digest.port);
    const request = payload(2 * MB);
    expect((await exchange(client.port, request)).toString()).toBe(
      `${request.length} ${sha256(request)}\n`,
    );
  });

  it("serve 50 simultaneous connections intact", async () => {
    const echo = teardown.add(await startEchoServer());
    const server = await startServerBin();
    const client = await startClient(server.port, echo.port);
    const payloads = Array.from({ length: 50 }, (_, i) => payload(64 * 1024 + i));
    const echoed = await Promise.all(payloads.map((data) => exchange(client.port, data)));
    expect(echoed.map(sha256)).toEqual(payloads.map(sha256));
  });
});

describe("user-client bin", () => {
  it("closes the local connection and keeps serving when the server is down", async () => {
    const deadServer = teardown.add(await startRefusingPort());
    const client = await startClient(deadServer.port, 1);
    for (const n of [1, 2]) {
      const socket = await connectTo(client.port);
      socket.resume();
      await once(socket, "end");
      socket.destroy();
      await client.waitFor(
        new RegExp(`connection #${n} .*cannot connect to 127\\.0\\.0\\.1:\\d+: connection refused`),
      );
    }
    expect(await client.stop("SIGINT")).toBe(0);
  });

  it.each([
    [
      ["--protocol=legacy", "--server_target_host=db.lan"],
      /--server_target_host must be an IPv4 address/,
    ],
    [["--unique_id=12345678901234567"], /--unique_id must be at most 16 characters/],
    [["--server_port=abc"], /--server_port/],
  ])("exits 2 with one line for %j", async (argv, message) => {
    const run = startNode(clientBin, ["--bind_port=0", ...argv]);
    expect(await run.exited).toBe(2);
    const lines = run.stderr().trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });
});

describe("interop with the legacy peer", () => {
  it("TS user-client through a legacy user-server carries data both ways", async () => {
    const echo = teardown.add(await startEchoServer());
    const legacy = teardown.kill(await startLegacyPeer("user-server", {}));
    const client = await startClient(legacy.port, echo.port, ["--unique_id=abc"]);
    for (let i = 0; i < 3; i++) {
      const data = payload(MB + i);
      expect(sha256(await echoWithoutEof(client.port, data))).toBe(sha256(data));
    }
    await legacy.waitFor(/request 127\.0\.0\.1:\d+ id=b'0000000000000abc'/);
  });

  it("legacy user-client through a TS user-server carries data both ways", async () => {
    const echo = teardown.add(await startEchoServer());
    const server = await startServerBin();
    const legacy = teardown.kill(
      await startLegacyPeer("user-client", {
        server_host: "127.0.0.1",
        server_port: server.port,
        server_target_host: "127.0.0.1",
        server_target_port: echo.port,
        unique_id: "legacy",
      }),
    );
    // The legacy client serves one connection at a time: one after another.
    for (let i = 0; i < 3; i++) {
      const data = payload(MB + i);
      expect(sha256(await echoWithoutEof(legacy.port, data))).toBe(sha256(data));
    }
  });
});
