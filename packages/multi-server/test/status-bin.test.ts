/**
 * A multi-server's status page counts failed handshakes by code, apart
 * from visitors, and its log counts a flood of them instead of writing each.
 */
import { once } from "node:events";
import type { LiveStatusDocument } from "@fwd/status";
import { binPath, connectTo, logLine, startListeningBin, Teardown } from "@fwd/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { get } from "../../status/test/http.js";
import { parsePrometheusText } from "../../status/test/prometheus-text.js";

const bin = binPath("multi-server");
const teardown = new Teardown();
afterEach(() => teardown.run());

/** Sends bytes that are no handshake and waits for the server to hang up. */
async function garbage(port: number): Promise<void> {
  const socket = await connectTo(port);
  socket.resume();
  socket.end("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  await once(socket, "close");
}

describe("multi-server status", () => {
  it("counts failed handshakes by code on /status.json and /metrics, and in the log", async () => {
    const server = teardown.kill(
      await startListeningBin(bin, [
        "--bind_host=127.0.0.1",
        "--bind_port=0",
        "--public_host=127.0.0.1",
        "--status_port=0",
      ]),
    );
    const [, base] = await server.waitFor(/status page on (http:\/\/127\.0\.0\.1:\d+)\//);
    for (let i = 0; i < 8; i++) await garbage(server.port);

    const doc = JSON.parse((await get(`${base}/status.json`)).body) as LiveStatusDocument;
    expect(doc.program).toBe("multi-server");
    expect(doc.listener).toMatchObject({
      address: `127.0.0.1:${server.port}`,
      tls: false,
      token: false,
    });
    expect(doc.handshakeFailures).toEqual({ ERR_FWD_PROTOCOL: 8 });
    expect(doc.tunnels).toEqual([]);
    expect(doc.clients).toEqual([]);
    const metrics = parsePrometheusText((await get(`${base}/metrics`)).body);
    expect(metrics.value("fwd_handshake_failures_total", { code: "ERR_FWD_PROTOCOL" })).toBe(8);

    expect(await server.stop("SIGINT")).toBe(0);
    const lines = server.stderr().match(/ error multi-server: connection #\d+ from /g);
    expect(lines).toHaveLength(3);
    expect(server.stderr()).toMatch(
      logLine("multi-server", "… 5 more connection errors ERR_FWD_PROTOCOL in the last minute$"),
    );
    expect(server.stderr()).toMatch(
      /served 0 visitors \(0 failed\): 0 B from visitors, 0 B to visitors; 8 registrations \(8 failed\)/,
    );
  });
});
