import { readFileSync } from "node:fs";
import {
  binPath,
  connectWithRetry,
  echoWithoutEof,
  freePort,
  payload,
  sha256,
  startEchoServer,
  startLegacyPeer,
  startListeningBin,
  Teardown,
} from "@fwd/testkit";
import { afterEach, describe, expect, it } from "vitest";

const bin = binPath("multi-server");
const teardown = new Teardown();
afterEach(() => teardown.run());

describe("multi-server bin", () => {
  it("is installed under its three names", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    expect(pkg.bin).toEqual({
      "multi-server": "./dist/bin/multi-server.js",
      tcp_forwarding_multi_server: "./dist/bin/multi-server.js",
      tcp_forwarding_multi_server_select: "./dist/bin/multi-server.js",
    });
  });
});

describe("interop with the legacy peer", () => {
  it("serves a legacy multi-client: repeated and simultaneous connections both ways", async () => {
    const echo = teardown.add(await startEchoServer());
    const server = teardown.kill(
      await startListeningBin(bin, ["--bind_host=127.0.0.1", "--bind_port=0"]),
    );
    const publicPort = await freePort();
    teardown.kill(
      await startLegacyPeer("multi-client", {
        server_host: "127.0.0.1",
        server_port: server.port,
        target_host: "127.0.0.1",
        target_port: echo.port,
        server_target_port: publicPort,
        unique_id: "legacy",
      }),
    );
    const connect = (port: number) => connectWithRetry(port);
    for (let i = 0; i < 4; i++) {
      const data = payload(200_000 + i);
      expect(sha256(await echoWithoutEof(publicPort, data, connect))).toBe(sha256(data));
    }
    // The legacy client serves one connection at a time; the TS server holds
    // the others on its open port until the client registers again.
    const payloads = Array.from({ length: 3 }, (_, i) => payload(50_000 + i));
    const echoed = await Promise.all(
      payloads.map((data) => echoWithoutEof(publicPort, data, connect)),
    );
    expect(echoed.map(sha256)).toEqual(payloads.map(sha256));
  });
});
