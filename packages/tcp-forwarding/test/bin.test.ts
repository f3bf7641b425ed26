import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import {
  binPath,
  connectTo,
  exchange,
  type ListeningBin,
  logLine,
  payload,
  sha256,
  startDigestServer,
  startEchoServer,
  startListeningBin,
  startNode,
  type TestServer,
} from "@fwd/testkit";
import { afterEach, describe, expect, it } from "vitest";

const bin = binPath("tcp-forwarding");
const MB = 1024 * 1024;

describe("tcp-forwarding bin", () => {
  const targets: TestServer[] = [];
  const bins: ListeningBin[] = [];

  afterEach(async () => {
    await Promise.all(bins.splice(0).map((running) => running.stop("SIGKILL")));
    await Promise.all(targets.splice(0).map((target) => target.close()));
  });

  async function forwarderTo(target: TestServer, extra: string[] = []): Promise<ListeningBin> {
    targets.push(target);
    const running = await startListeningBin(bin, [
      "--bind_host",
      target.host,
      "--bind_port",
      "0",
      "--target_host",
      target.host,
      "--target_port",
      String(target.port),
      ...extra,
    ]);
    bins.push(running);
    return running;
  }

  it("is installed under both names", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    expect(pkg.bin).toEqual({
      "tcp-forwarding": "./dist/bin/tcp-forwarding.js",
      tcp_forwarding: "./dist/bin/tcp-forwarding.js",
    });
  });

  it("echoes 8 MB back byte-identical", async () => {
    const fwd = await forwarderTo(await startEchoServer());
    const data = payload(8 * MB);
    const echoed = await exchange(fwd.port, data);
    expect(sha256(echoed)).toBe(sha256(data));
  });

  it("delivers the reply to a request followed by a FIN", async () => {
    const fwd = await forwarderTo(await startDigestServer());
    const request = payload(MB + 1);
    const reply = await exchange(fwd.port, request);
    expect(reply.toString()).toBe(`${request.length} ${sha256(request)}\n`);
  });

  it("serves 100 simultaneous connections intact", async () => {
    const fwd = await forwarderTo(await startEchoServer());
    const payloads = Array.from({ length: 100 }, (_, i) => payload(64 * 1024 + i));
    const echoed = await Promise.all(payloads.map((data) => exchange(fwd.port, data)));
    expect(echoed.map(sha256)).toEqual(payloads.map(sha256));
  });

  it("forwards over IPv6 and to a host name", async () => {
    const target = await startEchoServer("::1");
    targets.push(target);
    const v6 = await startListeningBin(bin, [
      "--bind_host=::1",
      "--bind_port=0",
      "--target_host=::1",
      `--target_port=${target.port}`,
    ]);
    bins.push(v6);
    expect(v6.host).toBe("::1");
    expect((await exchange(v6.port, Buffer.from("over v6"), "::1")).toString()).toBe("over v6");

    const named = await forwarderTo(await startEchoServer(), []);
    const byName = await startListeningBin(bin, [
      "--bind_host=localhost",
      "--bind_port=0",
      "--target_host=localhost",
      `--target_port=${targets.at(-1)!.port}`,
    ]);
    bins.push(byName);
    expect(named.port).toBeGreaterThan(0);
    expect((await exchange(byName.port, Buffer.from("by name"))).toString()).toBe("by name");
  });

  it("closes a client whose target is unreachable, logs it, and keeps serving", async () => {
    const closed = createServer();
    closed.listen(0, "127.0.0.1");
    await once(closed, "listening");
    const deadPort = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const fwd = await startListeningBin(bin, [
      "--bind_host=127.0.0.1",
      "--bind_port=0",
      "--target_host=127.0.0.1",
      `--target_port=${deadPort}`,
    ]);
    bins.push(fwd);
    for (const attempt of [1, 2]) {
      const socket = await connectTo(fwd.port);
      await once(socket, "end");
      socket.destroy();
      await fwd.waitFor(new RegExp(`connection #${attempt} .*connection refused`));
    }
    expect(fwd.child.exitCode).toBeNull();
    expect(await fwd.stop("SIGINT")).toBe(0);
  });

  it.each(["SIGINT", "SIGTERM"] as const)(
    "drains on %s: refuses new connections, lets an open one finish, exits 0",
    async (signal) => {
      const fwd = await forwarderTo(await startEchoServer());
      const socket = await connectTo(fwd.port);
      socket.write("hello");
      await once(socket, "data");
      fwd.child.kill(signal);
      await fwd.waitFor(
        /stopping \(SIG\w+\): no new connections; waiting up to 30 s for 1 open connection/,
      );
      await expect(connectTo(fwd.port)).rejects.toMatchObject({ code: "ECONNREFUSED" });
      const echoed = once(socket, "data");
      socket.write("still here");
      expect(String((await echoed)[0])).toBe("still here");
      socket.end();
      expect(await fwd.exited).toBe(0);
      socket.destroy();
      expect(fwd.stderr()).toMatch(new RegExp(`stopping \\(${signal}\\)[\\s\\S]*stopped`));
    },
  );

  it("closes open connections at a second stop signal", async () => {
    const fwd = await forwarderTo(await startEchoServer());
    const socket = await connectTo(fwd.port);
    socket.write("hello");
    await once(socket, "data");
    const ended = once(socket, "end");
    socket.resume();
    fwd.child.kill("SIGINT");
    await fwd.waitFor(/waiting up to/);
    expect(await fwd.stop("SIGINT")).toBe(0);
    await ended;
    socket.destroy();
    expect(fwd.stderr()).toMatch(/second stop signal: closing 1 open connection \(#1 /);
  });

  it("closes what is still open when --drain_timeout runs out", async () => {
    const fwd = await forwarderTo(await startEchoServer(), ["--drain_timeout", "0.2"]);
    const socket = await connectTo(fwd.port);
    socket.write("hello");
    await once(socket, "data");
    const ended = once(socket, "end");
    socket.resume();
    expect(await fwd.stop("SIGTERM")).toBe(0);
    await ended;
    socket.destroy();
    expect(fwd.stderr()).toMatch(/drain timeout \(0\.2 s\): closing 1 open connection/);
  });

  it("keeps running on SIGHUP (nohup, closed terminals)", async () => {
    const fwd = await forwarderTo(await startEchoServer());
    fwd.child.kill("SIGHUP");
    await fwd.waitFor(/SIGHUP: there is no configuration file to reload; still running/);
    const socket = await connectTo(fwd.port);
    socket.write("after hup");
    expect(String((await once(socket, "data"))[0])).toBe("after hup");
    socket.destroy();
    expect(await fwd.stop("SIGINT")).toBe(0);
  });

  it("exits 1 with one line when the port is in use", async () => {
    const fwd = await forwarderTo(await startEchoServer());
    const second = startNode(bin, ["--bind_host=127.0.0.1", `--bind_port=${fwd.port}`]);
    expect(await second.exited).toBe(1);
    const lines = second.stderr().trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      logLine(
        "tcp-forwarding",
        String.raw`cannot listen on 127\.0\.0\.1:\d+: the port is already in use; .*$`,
        { level: "error" },
      ),
    );
  });

  it.each([
    [["--bind_port", "abc"], /--bind_port/],
    [["--target_port=99999"], /--target_port/],
    [["--nope"], /--nope/],
    [["--target_host="], /--target_host/],
  ])("exits 2 with one line naming the flag for %j", async (argv, flag) => {
    const run = startNode(bin, argv);
    expect(await run.exited).toBe(2);
    const lines = run.stderr().trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(flag);
  });

  it("prints --help with the four legacy flags and exits 0", async () => {
    const run = startNode(bin, ["--help"]);
    expect(await run.exited).toBe(0);
    for (const flag of ["--bind_host", "--bind_port", "--target_host", "--target_port"]) {
      expect(run.stdout()).toContain(flag);
    }
  });
});
