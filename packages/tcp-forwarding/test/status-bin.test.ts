/**
 * The status page of a real bin (--status_port): /metrics and /status.json
 * over the tunnels it runs, with real traffic, a token, and a reload.
 */
import { once } from "node:events";
import type { LiveStatusDocument } from "@fwd/status";
import {
  binPath,
  connectTo,
  exchange,
  logLine,
  payload,
  type RunningProcess,
  readAll,
  startEchoServer,
  startNode,
  Teardown,
  type TempFiles,
  tempFiles,
  tunnelPort,
} from "@fwd/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { get } from "../../status/test/http.js";
import { parsePrometheusText } from "../../status/test/prometheus-text.js";

const bin = binPath("tcp-forwarding");
const teardown = new Teardown();
afterEach(() => teardown.run());

const STATUS_LINE = /status page on http:\/\/127\.0\.0\.1:(\d+)\/(.*)$/m;

function tunnel(name: string, target: number): string {
  return `[[tunnel]]\nname = "${name}"\nbind_host = "127.0.0.1"\nbind_port = 0\ntarget_host = "127.0.0.1"\ntarget_port = ${target}\n`;
}

async function startWithStatus(files: TempFiles, config: string, extra: string[] = []) {
  const path = files.write("fwd.toml", config);
  const fwd = teardown.kill(startNode(bin, ["--config", path, "--status_port", "0", ...extra]));
  const [, port, rest] = await fwd.waitFor(STATUS_LINE);
  return { fwd, base: `http://127.0.0.1:${port}`, rest: rest! };
}

async function statusOf(base: string, headers: Record<string, string> = {}) {
  const reply = await get(`${base}/status.json`, { headers });
  expect(reply.status).toBe(200);
  return JSON.parse(reply.body) as LiveStatusDocument;
}

async function bytesIn(base: string, tunnelName: string): Promise<number> {
  const reply = await get(`${base}/metrics`);
  expect(reply.status).toBe(200);
  const metrics = parsePrometheusText(reply.body);
  return metrics.value("fwd_bytes_total", { tunnel: tunnelName, direction: "in" }) ?? Number.NaN;
}

/** Asks until `probe` answers (at most 100 times, a few ms apart). */
async function eventually<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error("the status never showed it");
}

describe("tcp-forwarding --status_port", () => {
  it("serves /status.json by tunnel name and /metrics whose byte counter follows real traffic", async () => {
    const files = teardown.add(tempFiles());
    const echo = teardown.add(await startEchoServer());
    const { fwd, base } = await startWithStatus(
      files,
      tunnel("web", echo.port) + tunnel("db", echo.port),
    );

    const doc = await statusOf(base);
    expect(doc.program).toBe("tcp-forwarding");
    expect(doc.tunnels.map((row) => [row.name, row.kind, row.state])).toEqual([
      ["web", "forward", "up"],
      ["db", "forward", "up"],
    ]);
    expect(doc.tunnels[0]!.target).toBe(`127.0.0.1:${echo.port}`);

    const before = await bytesIn(base, "web");
    expect(before).toBe(0);
    const web = await tunnelPort(fwd, "tcp-forwarding", "web");
    await exchange(web, payload(1024 * 1024));
    // The bytes are counted as they pass; the close lands when the forwarder sees the FIN.
    expect(await bytesIn(base, "web")).toBe(1024 * 1024);
    expect(await bytesIn(base, "db")).toBe(0);
    const row = await eventually(async () => {
      const web = (await statusOf(base)).tunnels.find((t) => t.name === "web")!;
      return web.connections.total.done === 1 ? web : undefined;
    });
    expect(row.bytes).toEqual({ in: 1024 * 1024, out: 1024 * 1024 });
    expect(row.connections).toEqual({ active: 0, total: { done: 1 } });
    expect(await fwd.stop("SIGINT")).toBe(0);
  });

  it("lists open connections and shows a removed tunnel draining, then drops it", async () => {
    const files = teardown.add(tempFiles());
    const echo = teardown.add(await startEchoServer());
    const { fwd, base } = await startWithStatus(
      files,
      tunnel("keep", echo.port) + tunnel("gone", echo.port),
    );
    const socket = await connectTo(await tunnelPort(fwd, "tcp-forwarding", "gone"));
    socket.write("hi");
    await once(socket, "data");
    const open = (await statusOf(base)).tunnels.find((t) => t.name === "gone")!;
    expect(open.connections.active).toBe(1);
    expect(open.active).toHaveLength(1);
    expect(open.active[0]!.bytes).toEqual({ in: 2, out: 2 });

    files.write("fwd.toml", tunnel("keep", echo.port));
    await fwd.waitFor(/stopped gone/);
    const draining = (await statusOf(base)).tunnels.find((t) => t.name === "gone")!;
    expect(draining.state).toBe("draining");
    expect(draining.detail).toMatch(/removed from the configuration: 1 open connection finishing/);

    socket.end();
    await readAll(socket);
    await fwd.waitFor(/\[gone\]: stopped \(removed/);
    expect((await statusOf(base)).tunnels.map((t) => t.name)).toEqual(["keep"]);
    expect(await fwd.stop("SIGINT")).toBe(0);
  });

  it("asks for --status_token when set, and never writes the token to the log", async () => {
    const files = teardown.add(tempFiles());
    const echo = teardown.add(await startEchoServer());
    const { fwd, base, rest } = await startWithStatus(files, tunnel("web", echo.port), [
      "--status_token",
      "s3cret-status",
    ]);
    expect(rest).toMatch(/^ \(open it with \?token=<the --status_token value>\)$/);
    expect((await get(`${base}/status.json`)).status).toBe(401);
    expect(
      (await get(`${base}/metrics`, { headers: { Authorization: "Bearer wrong" } })).status,
    ).toBe(401);
    expect((await get(`${base}/status.json?token=wrong`)).status).toBe(401);
    const doc = await statusOf(base, { Authorization: "Bearer s3cret-status" });
    expect(doc.tunnels.map((t) => t.name)).toEqual(["web"]);
    expect(await fwd.stop("SIGINT")).toBe(0);
    expect(fwd.stderr()).not.toContain("s3cret-status");
  });

  it("refuses a status page beyond loopback without a token, naming the flag", async () => {
    const run = startNode(bin, ["--bind_port=0", "--status_port=0", "--status_host=0.0.0.0"]);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toMatch(
      logLine(
        "tcp-forwarding",
        "the status page on 0\\.0\\.0\\.0:0 would be reachable from the network: set --status_token, or bind it to 127\\.0\\.0\\.1",
        { level: "error" },
      ),
    );
  });

  it("names the config file's line of a status port in use", async () => {
    const files = teardown.add(tempFiles());
    const echo = teardown.add(await startEchoServer());
    const path = files.write("fwd.toml", `status_port = ${echo.port}\n${tunnel("web", echo.port)}`);
    const run: RunningProcess = startNode(bin, ["--config", path]);
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toMatch(
      logLine(
        "tcp-forwarding",
        `.*fwd\\.toml:1:15: cannot listen on 127\\.0\\.0\\.1:${echo.port}: the port is already in use`,
        { level: "error" },
      ),
    );
    // The tunnel that had started is stopped again.
    expect(run.stderr()).toMatch(/\[web\]: served 0 connections/);
  });
});
