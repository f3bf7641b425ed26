import { once } from "node:events";
import { readFileSync } from "node:fs";
import {
  binPath,
  connectTo,
  echoWithoutEof,
  payload,
  sha256,
  startEchoServer,
  startLegacyPeer,
  startListeningBin,
  startNode,
  Teardown,
} from "@fwd/testkit";
import { afterEach, describe, expect, it } from "vitest";

const bin = binPath("user-server");
const teardown = new Teardown();
afterEach(() => teardown.run());

async function startServerBin(extra: string[] = []) {
  return teardown.kill(
    await startListeningBin(bin, ["--bind_host=127.0.0.1", "--bind_port=0", ...extra]),
  );
}

describe("user-server bin", () => {
  it("is installed under both names", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    expect(Object.keys(pkg.bin)).toEqual(["user-server", "tcp_forwarding_user_server"]);
  });

  it("logs a bad handshake, closes it, and keeps serving", async () => {
    const server = await startServerBin();
    const cases = [
      ["GET / HTTP/1.0\r\n\r\n", "neither a legacy nor a fwd v2"],
      [
        "\x16\x03\x01 a TLS hello",
        "the client speaks TLS but this server has no certificate: give the server --tls_cert and --tls_key",
      ],
    ] as const;
    for (const [n, [bytes, says]] of cases.entries()) {
      const socket = await connectTo(server.port);
      socket.write(bytes);
      socket.resume();
      await once(socket, "end");
      socket.destroy();
      await server.waitFor(new RegExp(`connection #${n + 1} from 127\\.0\\.0\\.1:\\d+: .*${says}`));
    }
    expect(await server.stop("SIGTERM")).toBe(0);
  });

  it("drops a silent client after --handshake_timeout", async () => {
    const server = await startServerBin(["--handshake_timeout=0.2"]);
    const socket = await connectTo(server.port);
    socket.resume();
    await once(socket, "end");
    socket.destroy();
    await server.waitFor(/not complete within 0\.2 s/);
  });

  it("exits 1 when its port is taken", async () => {
    const server = await startServerBin();
    const second = startNode(bin, ["--bind_host=127.0.0.1", `--bind_port=${server.port}`]);
    expect(await second.exited).toBe(1);
    expect(second.stderr()).toMatch(/already in use/);
  });
});

describe("interop with the legacy peer", () => {
  it("serves a legacy user-client, connection after connection, both ways", async () => {
    const echo = teardown.add(await startEchoServer());
    const server = await startServerBin();
    const legacy = teardown.kill(
      await startLegacyPeer("user-client", {
        server_host: "127.0.0.1",
        server_port: server.port,
        server_target_host: "127.0.0.1",
        server_target_port: echo.port,
      }),
    );
    for (let i = 0; i < 4; i++) {
      const data = payload(256 * 1024 + i);
      expect(sha256(await echoWithoutEof(legacy.port, data))).toBe(sha256(data));
    }
  });
});
