/**
 * The bin run from a config file, as users run it for weeks: several
 * tunnels, reloads on SIGHUP and on a change of the file, a broken file,
 * a removed tunnel draining, start errors at the value's position.
 */
import { once } from "node:events";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  binPath,
  connectTo,
  exchange,
  logLine,
  payload,
  type RunningProcess,
  readAll,
  sha256,
  startDownloadServer,
  startEchoServer,
  startNode,
  Teardown,
  type TempFiles,
  tempFiles,
  tunnelPort,
} from "@fwd/testkit";
import { afterEach, describe, expect, it } from "vitest";

const bin = binPath("tcp-forwarding");
const MB = 1024 * 1024;
const teardown = new Teardown();
afterEach(() => teardown.run());

/** A [[tunnel]] table to `target` on loopback, listening on any free port. */
function tunnel(name: string, target: number, extra: string[] = []): string {
  return [
    "[[tunnel]]",
    `name = "${name}"`,
    'bind_host = "127.0.0.1"',
    "bind_port = 0",
    'target_host = "127.0.0.1"',
    `target_port = ${target}`,
    ...extra,
    "",
  ].join("\n");
}

function start(files: TempFiles, config: string, extra: string[] = []): RunningProcess {
  const path = files.write("fwd.toml", config);
  return teardown.kill(startNode(bin, ["--config", path, ...extra]));
}

/** The echo through `port` is the bytes sent. */
async function echoes(port: number, size = 64 * 1024): Promise<void> {
  const data = payload(size);
  expect(sha256(await exchange(port, data))).toBe(sha256(data));
}

describe("tcp-forwarding --config", () => {
  it("serves every tunnel of the file, each line naming its tunnel", async () => {
    const files = teardown.add(tempFiles());
    const targets = await Promise.all([1, 2, 3].map(() => startEchoServer()));
    for (const target of targets) teardown.add(target);
    const fwd = start(
      files,
      targets.map((target, i) => tunnel(`echo-${i + 1}`, target.port)).join("\n"),
    );
    const ports = await Promise.all(
      ["echo-1", "echo-2", "echo-3"].map((name) => tunnelPort(fwd, "tcp-forwarding", name)),
    );
    expect(new Set(ports).size).toBe(3);
    await Promise.all(ports.map((port) => echoes(port, MB)));
    expect(await fwd.stop("SIGINT")).toBe(0);
    for (const name of ["echo-1", "echo-2", "echo-3"]) {
      expect(fwd.stderr()).toMatch(
        logLine(
          "tcp-forwarding",
          String.raw`served 1 connection \(0 failed\): 1\.0 MB from clients, 1\.0 MB to clients`,
          { tunnel: name },
        ),
      );
    }
  });

  it("adds a tunnel on SIGHUP and keeps an open download through an unchanged one intact", async () => {
    const files = teardown.add(tempFiles());
    const data = payload(16 * MB);
    const download = teardown.add(await startDownloadServer(data));
    const echo = teardown.add(await startEchoServer());
    // The config is a link to a file elsewhere: changing that file is not
    // seen by the watcher, so only SIGHUP can bring the change in.
    const real = join(files.dir, "managed");
    mkdirSync(real);
    writeFileSync(join(real, "fwd.toml"), tunnel("dl", download.port));
    symlinkSync(join(real, "fwd.toml"), join(files.dir, "fwd.toml"));
    const fwd = teardown.kill(startNode(bin, ["--config", join(files.dir, "fwd.toml")]));
    const dlPort = await tunnelPort(fwd, "tcp-forwarding", "dl");

    const { socket, received } = await startDownload(dlPort);
    writeFileSync(join(real, "fwd.toml"), tunnel("dl", download.port) + tunnel("echo", echo.port));
    fwd.child.kill("SIGHUP");
    await fwd.waitFor(
      logLine(
        "tcp-forwarding",
        String.raw`reloaded fwd\.toml \(SIGHUP\): started echo, 1 unchanged$`,
      ),
    );
    await echoes(await tunnelPort(fwd, "tcp-forwarding", "echo"));
    socket.resume();
    expect(sha256(await received)).toBe(sha256(data));
    expect(await fwd.stop("SIGINT")).toBe(0);
  });

  it("adds a tunnel when the file changes, keeping an open download intact", async () => {
    const files = teardown.add(tempFiles());
    const data = payload(16 * MB);
    const download = teardown.add(await startDownloadServer(data));
    const echo = teardown.add(await startEchoServer());
    const fwd = start(files, tunnel("dl", download.port));
    const dlPort = await tunnelPort(fwd, "tcp-forwarding", "dl");

    const { socket, received } = await startDownload(dlPort);
    files.write("fwd.toml", tunnel("dl", download.port) + tunnel("echo", echo.port));
    await fwd.waitFor(
      logLine(
        "tcp-forwarding",
        String.raw`reloaded fwd\.toml \(the file changed\): started echo, 1 unchanged$`,
      ),
    );
    await echoes(await tunnelPort(fwd, "tcp-forwarding", "echo"));
    socket.resume();
    expect(sha256(await received)).toBe(sha256(data));
    // The download's tunnel was never restarted.
    const dlStarts = new RegExp(logLine("tcp-forwarding", "listening on", { tunnel: "dl" }), "gm");
    expect(fwd.stderr().match(dlStarts)).toHaveLength(1);
    expect(await fwd.stop("SIGINT")).toBe(0);
  });

  it("keeps the running configuration when the new file has problems, and says where", async () => {
    const files = teardown.add(tempFiles());
    const echo = teardown.add(await startEchoServer());
    const fwd = start(files, tunnel("web", echo.port));
    const port = await tunnelPort(fwd, "tcp-forwarding", "web");
    files.write(
      "fwd.toml",
      `${tunnel("web", echo.port)}targt_port = 80\n[[tunnel]]\nname = "db"\nbind_port = "5432"\n`,
    );
    await fwd.waitFor(
      logLine(
        "tcp-forwarding",
        String.raw`fwd\.toml not reloaded \(2 problems\); still running the previous configuration`,
        { level: "error" },
      ),
    );
    await fwd.waitFor(
      logLine(
        "tcp-forwarding",
        String.raw`.*fwd\.toml:7:1: unknown key targt_port; did you mean target_port\?`,
        {
          level: "error",
        },
      ),
    );
    await fwd.waitFor(
      logLine(
        "tcp-forwarding",
        String.raw`.*fwd\.toml:10:13: bind_port must be a number, not a string`,
        {
          level: "error",
        },
      ),
    );
    await echoes(port);
    // An empty file is a save in progress, not a config of defaults.
    files.write("fwd.toml", "");
    await fwd.waitFor(
      /fwd\.toml not reloaded: the file is empty; still running the previous configuration/,
    );
    await echoes(port);
    // Fixed: the next save applies.
    files.write("fwd.toml", tunnel("web", echo.port, ["idle_timeout = 60"]));
    await fwd.waitFor(/reloaded fwd\.toml \(the file changed\): restarted web \(idle_timeout\)/);
    await echoes(await tunnelPort(fwd, "tcp-forwarding", "web"));
    expect(await fwd.stop("SIGINT")).toBe(0);
  });

  it("drains a removed tunnel: no new connections, the open one finishes", async () => {
    const files = teardown.add(tempFiles());
    const echo = teardown.add(await startEchoServer());
    const fwd = start(files, tunnel("keep", echo.port) + tunnel("gone", echo.port));
    const gonePort = await tunnelPort(fwd, "tcp-forwarding", "gone");
    const socket = await connectTo(gonePort);
    socket.write("before");
    expect(String((await once(socket, "data"))[0])).toBe("before");

    files.write("fwd.toml", tunnel("keep", echo.port));
    await fwd.waitFor(/reloaded fwd\.toml \(the file changed\): stopped gone, 1 unchanged/);
    await expect(connectTo(gonePort)).rejects.toMatchObject({ code: "ECONNREFUSED" });
    socket.write("still here");
    expect(String((await once(socket, "data"))[0])).toBe("still here");
    socket.end();
    await readAll(socket);
    await fwd.waitFor(
      logLine(
        "tcp-forwarding",
        String.raw`stopped \(removed from the configuration\): served 1 connection \(0 failed\)`,
        { tunnel: "gone" },
      ),
    );
    expect(await fwd.stop("SIGINT")).toBe(0);
  });

  it("closes what a removed tunnel still has open after --drain_timeout", async () => {
    const files = teardown.add(tempFiles());
    const echo = teardown.add(await startEchoServer());
    const fwd = start(
      files,
      `drain_timeout = 0.3\n${tunnel("keep", echo.port)}${tunnel("gone", echo.port)}`,
    );
    const socket = await connectTo(await tunnelPort(fwd, "tcp-forwarding", "gone"));
    socket.write("hello");
    await once(socket, "data");
    const ended = once(socket, "end");
    socket.resume();
    files.write("fwd.toml", `drain_timeout = 0.3\n${tunnel("keep", echo.port)}`);
    await fwd.waitFor(/stopped gone/);
    await ended;
    socket.destroy();
    await fwd.waitFor(/\[gone\]: stopped \(removed from the configuration\): served 1 connection/);
    expect(await fwd.stop("SIGINT")).toBe(0);
  });

  it("exits 1 naming the position of a tunnel whose port is taken", async () => {
    const files = teardown.add(tempFiles());
    const echo = teardown.add(await startEchoServer());
    const config = `${tunnel("free", echo.port)}${tunnel("taken", echo.port).replace("bind_port = 0", `bind_port = ${echo.port}`)}`;
    const fwd = start(files, config);
    expect(await fwd.exited).toBe(1);
    const lines = fwd.stderr().trimEnd().split("\n");
    expect(lines.at(-1)).toMatch(
      logLine(
        "tcp-forwarding",
        String.raw`.*fwd\.toml:10:13: cannot listen on 127\.0\.0\.1:${echo.port}: the port is already in use`,
        { level: "error" },
      ),
    );
  });
});

/** Connects, waits for the first bytes, then stops reading: the download stays open, held by backpressure. */
async function startDownload(port: number) {
  const socket = await connectTo(port);
  const chunks: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  await once(socket, "data");
  socket.pause();
  const received = new Promise<Buffer>((resolve, reject) => {
    socket.once("end", () => {
      socket.end(); // our side too, so the relay ends and the stop need not wait
      resolve(Buffer.concat(chunks));
    });
    socket.once("error", reject);
  });
  teardown.add(() => socket.destroy());
  return { socket, received };
}
