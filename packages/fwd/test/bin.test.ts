import { mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  binPath,
  exchange,
  startEchoServer,
  startListeningBin,
  startNode,
  Teardown,
} from "@fwd/testkit";
import { afterEach, describe, expect, it } from "vitest";
import pkg from "../package.json" with { type: "json" };

const bin = binPath("fwd");
const teardown = new Teardown();
afterEach(() => teardown.run());

/** Runs `node <script> args` to its end. */
async function runToEnd(script: string, args: string[]) {
  const running = startNode(script, args);
  const status = await running.exited;
  return { status, stdout: running.stdout(), stderr: running.stderr() };
}

/** A link to the built bin named `name`, as npm's bin links are. */
async function linkNamed(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "fwd-bin-"));
  teardown.add(() => rm(dir, { recursive: true, force: true }));
  const link = join(dir, name);
  await symlink(bin, link);
  return link;
}

describe("fwd bin", () => {
  it.each([
    ["tcp_forwarding", []],
    ["multi-client", []],
    ["tcp_forwarding_multi_server_select.js", []],
    ["fwd", ["user-server"]],
  ])("as %s %j prints the release version", async (name, args) => {
    const result = await runToEnd(await linkNamed(name), [...args, "--version"]);
    expect(result).toEqual({ status: 0, stdout: `${pkg.version}\n`, stderr: "" });
  });

  it("as a drop-in shows that program's help", async () => {
    const result = await runToEnd(await linkNamed("tcp_forwarding_user_client"), ["--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: user-client \[flags\]/);
  });

  it("exits 2 for a bad flag of a program, and for an unknown program", async () => {
    const badFlag = await runToEnd(bin, ["multi-server", "--no_such_flag"]);
    expect(badFlag.status).toBe(2);
    expect(badFlag.stderr).toMatch(
      /^\d{4}-\d\d-\d\d [\d:.]+ error multi-server: unknown flag --no_such_flag/,
    );
    const unknown = await runToEnd(bin, ["multi_client"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe(
      'fwd: unknown program "multi_client"; fwd --help lists the programs\n',
    );
  });

  it("forwards through tcp-forwarding and stops on SIGINT with status 0", async () => {
    const echo = teardown.add(await startEchoServer());
    const fwd = teardown.kill(
      await startListeningBin(bin, [
        "tcp-forwarding",
        "--bind_host=127.0.0.1",
        "--bind_port=0",
        "--target_host=127.0.0.1",
        `--target_port=${echo.port}`,
      ]),
    );
    expect((await exchange(fwd.port, Buffer.from("through fwd"))).toString()).toBe("through fwd");
    expect(await fwd.stop("SIGINT")).toBe(0);
  });
});
