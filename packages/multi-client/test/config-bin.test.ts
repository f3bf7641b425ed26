/**
 * The reverse tunnel run from config files: a multi-client with three
 * tunnels (public ports) over one multi-server, the status of both, the
 * server's port lines, a reload that removes a tunnel, a start error at its
 * position.
 */
import type { LiveStatusDocument } from "@fwd/status";
import {
  binPath,
  exchange,
  freePort,
  logLine,
  payload,
  type RunningProcess,
  sha256,
  startEchoServer,
  startListeningBin,
  startNode,
  Teardown,
  type TempFiles,
  tempFiles,
} from "@fwd/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { get } from "../../status/test/http.js";
import { parsePrometheusText } from "../../status/test/prometheus-text.js";

const clientBin = binPath("multi-client");
const serverBin = binPath("multi-server");
const teardown = new Teardown();
afterEach(() => teardown.run());

const STATUS_LINE = /status page on (http:\/\/127\.0\.0\.1:\d+)\//;
const NAMES = ["rdp", "ssh", "web"] as const;

/** Tunnels: name, target port, and the public port asked for (0: any). */
type TunnelRow = readonly [name: string, target: number, publicPort?: number];

function clientConfig(serverPort: number, tunnels: readonly TunnelRow[]): string {
  const top = [
    'server_host = "127.0.0.1"',
    `server_port = ${serverPort}`,
    'protocol = "v2"',
    'target_host = "127.0.0.1"',
    'unique_id = "home"',
    "",
  ];
  const tables = tunnels.flatMap(([name, target, publicPort = 0]) => [
    "[[tunnel]]",
    `name = "${name}"`,
    `target_port = ${target}`,
    `server_target_port = ${publicPort}`,
    "",
  ]);
  return [...top, ...tables].join("\n");
}

/** The public port a tunnel registered, from its "registered" line. */
async function publicPort(client: RunningProcess, tunnel: string): Promise<number> {
  const [, port] = await client.waitFor(
    logLine("multi-client", String.raw`registered with server [\d.:]+: public port (\d+) is open`, {
      tunnel,
    }),
  );
  return Number(port);
}

async function statusOf(base: string): Promise<LiveStatusDocument> {
  const reply = await get(`${base}/status.json`);
  expect(reply.status).toBe(200);
  return JSON.parse(reply.body) as LiveStatusDocument;
}

async function startPair(files: TempFiles, webPort = 0) {
  const echoes = await Promise.all(NAMES.map(() => startEchoServer()));
  for (const echo of echoes) teardown.add(echo);
  const server = teardown.kill(
    await startListeningBin(serverBin, [
      "--bind_host=127.0.0.1",
      "--bind_port=0",
      "--public_host=127.0.0.1",
      "--status_port=0",
    ]),
  );
  const [, serverStatus] = await server.waitFor(STATUS_LINE);
  const tunnels: TunnelRow[] = NAMES.map((name, i) => [
    name,
    echoes[i]!.port,
    name === "web" ? webPort : 0,
  ]);
  const path = files.write("home.toml", clientConfig(server.port, tunnels));
  const client = teardown.kill(startNode(clientBin, ["--config", path, "--status_port=0"]));
  const [, clientStatus] = await client.waitFor(STATUS_LINE);
  const ports = await Promise.all(NAMES.map((name) => publicPort(client, name)));
  return {
    server,
    client,
    ports,
    tunnels,
    serverStatus: serverStatus!,
    clientStatus: clientStatus!,
  };
}

describe("multi-client --config with a multi-server", () => {
  it("serves every tunnel of the file, and both status pages show them", async () => {
    const files = teardown.add(tempFiles());
    const { server, client, ports, serverStatus, clientStatus } = await startPair(files);
    expect(new Set(ports).size).toBe(3);
    const sent = ports.map((_, i) => payload(256 * 1024 + i));
    const echoed = await Promise.all(ports.map((port, i) => exchange(port, sent[i]!)));
    expect(echoed.map(sha256)).toEqual(sent.map(sha256));

    const mine = await statusOf(clientStatus);
    expect(mine.server).toMatchObject({
      address: `127.0.0.1:${server.port}`,
      state: "up",
      protocol: "v2",
    });
    expect(mine.tunnels.map((row) => [row.name, row.kind, row.state, row.publicPort])).toEqual(
      NAMES.map((name, i) => [name, "multi-client", "up", ports[i]]),
    );

    const theirs = await statusOf(serverStatus);
    expect(theirs.tunnels.map((row) => row.name).sort()).toEqual(ports.map(String).sort());
    for (const row of theirs.tunnels) {
      expect(row).toMatchObject({ kind: "public-port", state: "up", owner: "000000000000home" });
    }
    expect(theirs.clients).toEqual([
      expect.objectContaining({ id: "000000000000home", ports: expect.any(Array) }),
    ]);
    expect(theirs.clients![0]!.ports).toHaveLength(3);
    expect(theirs.listener).toMatchObject({ address: `127.0.0.1:${server.port}`, token: false });
    const metrics = parsePrometheusText((await get(`${serverStatus}/metrics`)).body);
    expect(metrics.value("fwd_public_ports")).toBe(3);

    // The server names each port's owner and address as it opens.
    for (const port of ports) {
      expect(server.stderr()).toMatch(
        logLine(
          "multi-server",
          String.raw`public port 127\.0\.0\.1:${port} opened for client "000000000000home" at 127\.0\.0\.1:\d+ \(v2\)`,
        ),
      );
    }
    expect(await client.stop("SIGINT")).toBe(0);
    expect(await server.stop("SIGINT")).toBe(0);
    const total = sent.reduce((sum, data) => sum + data.length, 0);
    const kB = (total / 1000).toFixed(0);
    expect(server.stderr()).toMatch(
      new RegExp(
        String.raw`served 3 visitors \(0 failed\): ${kB} kB from visitors, ${kB} kB to visitors; \d+ registrations \(0 failed\)`,
      ),
    );
  });

  it("stops a tunnel removed from the file; the server releases its port; the others serve on", async () => {
    const files = teardown.add(tempFiles());
    // A port asked for by number: @fwd/core forgets to release one it
    // opened as 0 (its bound port reads 0 once closed), so that cannot be
    // checked here yet.
    const { server, client, ports, tunnels } = await startPair(files, await freePort());
    files.write("home.toml", clientConfig(server.port, tunnels.slice(0, 2)));
    await client.waitFor(/reloaded home\.toml \(the file changed\): stopped web, 2 unchanged/);
    await client.waitFor(
      logLine("multi-client", "stopped \\(removed from the configuration\\)", { tunnel: "web" }),
    );
    await server.waitFor(
      logLine(
        "multi-server",
        String.raw`public port 127\.0\.0\.1:${ports[2]} of client "000000000000home" released`,
      ),
    );
    const data = payload(64 * 1024);
    expect(sha256(await exchange(ports[0]!, data))).toBe(sha256(data));
    expect(await client.stop("SIGINT")).toBe(0);
  });

  it("exits 2 naming the line of a token file it cannot read", async () => {
    const files = teardown.add(tempFiles());
    const path = files.write(
      "home.toml",
      `server_host = "127.0.0.1"\nserver_port = 1\ntoken_file = "missing.token"\n\n[[tunnel]]\nname = "rdp"\nserver_target_port = 13389\n`,
    );
    const client = startNode(clientBin, ["--config", path]);
    expect(await client.exited).toBe(2);
    expect(client.stderr()).toMatch(
      logLine(
        "multi-client",
        String.raw`.*home\.toml:3:14: \`token_file\` cannot be read: ".*missing\.token": ENOENT`,
        { level: "error" },
      ),
    );
  });
});
