/**
 * The log a bin writes on stderr: time and level on every line, JSON lines
 * with --log_format json, --log_level (live on reload), repeated errors
 * counted instead of written.
 */
import { once } from "node:events";
import { createServer } from "node:net";
import {
  binPath,
  connectTo,
  exchange,
  LOG_PREFIX,
  logLine,
  startEchoServer,
  startListeningBin,
  startNode,
  Teardown,
  tempFiles,
  tunnelPort,
} from "@fwd/testkit";
import { afterEach, describe, expect, it } from "vitest";

const bin = binPath("tcp-forwarding");
const teardown = new Teardown();
afterEach(() => teardown.run());

/** A loopback port nothing listens on (a server opened and closed). */
async function deadPort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Connects `count` times, one after the other, each closed by the forwarder. */
async function refusedConnections(port: number, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const socket = await connectTo(port);
    socket.resume();
    await once(socket, "end");
    socket.destroy();
  }
}

describe("tcp-forwarding logs", () => {
  it("start every line with the local time and the level", async () => {
    const fwd = teardown.kill(
      await startListeningBin(bin, [
        "--bind_host=127.0.0.1",
        "--bind_port=0",
        "--target_host=127.0.0.1",
        `--target_port=${await deadPort()}`,
      ]),
    );
    await refusedConnections(fwd.port, 1);
    await fwd.waitFor(/connection #1 from/);
    expect(await fwd.stop("SIGINT")).toBe(0);
    const lines = fwd.stderr().trimEnd().split("\n");
    expect(lines.length).toBeGreaterThanOrEqual(5);
    for (const line of lines) expect(line).toMatch(new RegExp(`^${LOG_PREFIX}tcp-forwarding: `));
    expect(lines.map((line) => line.slice(24, 29).trim())).toEqual([
      "info",
      "error",
      "info",
      "info",
      "info",
    ]);
  });

  it("write one JSON object per line with --log_format json", async () => {
    const dead = await deadPort();
    const fwd = teardown.kill(
      startNode(bin, [
        "--bind_host=127.0.0.1",
        "--bind_port=0",
        "--target_host=127.0.0.1",
        `--target_port=${dead}`,
        "--log_format=json",
      ]),
    );
    const [, port] = await fwd.waitFor(/"message":"listening on 127\.0\.0\.1:(\d+),/);
    await refusedConnections(Number(port), 1);
    await fwd.waitFor(/"level":"error"/);
    expect(await fwd.stop("SIGINT")).toBe(0);
    const objects = fwd
      .stderr()
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const object of objects) {
      expect(object).toMatchObject({ program: "tcp-forwarding", level: expect.any(String) });
      expect(Date.parse(String(object.time))).not.toBeNaN();
    }
    expect(objects.find((object) => object.level === "error")).toMatchObject({
      message: expect.stringMatching(/^connection #1 from 127\.0\.0\.1:\d+: cannot connect to/),
      code: "ERR_FWD_CONN_REFUSED",
    });
    expect(objects.at(-1)).toMatchObject({ level: "info", message: "stopped" });
  });

  it("hide info lines at --log_level warn, applied live by a reload", async () => {
    const files = teardown.add(tempFiles());
    const dead = await deadPort();
    const tunnel = `[[tunnel]]\nname = "web"\nbind_host = "127.0.0.1"\nbind_port = 0\ntarget_host = "127.0.0.1"\ntarget_port = ${dead}\n`;
    const path = files.write("fwd.toml", tunnel);
    const fwd = teardown.kill(startNode(bin, ["--config", path]));
    const port = await tunnelPort(fwd, "tcp-forwarding", "web");
    files.write("fwd.toml", `log_level = "warn"\n${tunnel}`);
    await fwd.waitFor(/reloaded fwd\.toml \(the file changed\): applied log_level, 1 unchanged/);
    const before = fwd.stderr().length;
    await refusedConnections(port, 1);
    await fwd.waitFor(
      logLine("tcp-forwarding", "connection #1 from", { level: "error", tunnel: "web" }),
    );
    files.write("fwd.toml", `log_level = "warn"\nbogus = 1\n${tunnel}`); // a refused reload is an error
    await fwd.waitFor(/not reloaded \(1 problem\)/);
    expect(await fwd.stop("SIGINT")).toBe(0);
    const after = fwd.stderr().slice(before).trimEnd().split("\n");
    expect(after.length).toBeGreaterThanOrEqual(3); // the connection, the refused reload's two
    // Stopping, its summary and "stopped" are info lines: not one was written.
    for (const line of after) expect(line).toMatch(new RegExp(`^${LOG_PREFIX}`));
    expect(after.filter((line) => / info {2}/.test(line))).toEqual([]);
  });

  it("count repeated errors of one kind instead of writing each", async () => {
    const fwd = teardown.kill(
      await startListeningBin(bin, [
        "--bind_host=127.0.0.1",
        "--bind_port=0",
        "--target_host=127.0.0.1",
        `--target_port=${await deadPort()}`,
      ]),
    );
    await refusedConnections(fwd.port, 12);
    expect(await fwd.stop("SIGINT")).toBe(0);
    const errors = fwd
      .stderr()
      .match(/ error tcp-forwarding: connection #\d+ from .*connection refused/g);
    expect(errors).toHaveLength(3);
    expect(fwd.stderr()).toMatch(
      logLine(
        "tcp-forwarding",
        "… 9 more connection errors ERR_FWD_CONN_REFUSED in the last minute$",
        { level: "error" },
      ),
    );
    expect(fwd.stderr()).toMatch(/served 12 connections \(12 failed\)/);
  });

  it("write every connection and the fwd:* debug lines at --log_level debug", async () => {
    const echo = teardown.add(await startEchoServer());
    const fwd = teardown.kill(
      await startListeningBin(bin, [
        "--bind_host=127.0.0.1",
        "--bind_port=0",
        "--target_host=127.0.0.1",
        `--target_port=${echo.port}`,
        "--log_level=debug",
      ]),
    );
    await exchange(fwd.port, Buffer.from("hello"));
    await fwd.waitFor(
      logLine(
        "tcp-forwarding",
        String.raw`connection #1 from 127\.0\.0\.1:\d+ to 127\.0\.0\.1:\d+ closed \(done\): 5 B in, 5 B out`,
        {
          level: "debug",
        },
      ),
    );
    expect(fwd.stderr()).toMatch(logLine("tcp-forwarding", "fwd:core:\\w+ ", { level: "debug" }));
    expect(await fwd.stop("SIGINT")).toBe(0);
  });

  it("print the version with -v", async () => {
    const run = startNode(bin, ["-v"]);
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toMatch(/^\d+\.\d+\.\d+\S*\n$/);
  });
});
