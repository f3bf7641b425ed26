/** The in-repo legacy peer's own command line: start line, stop signals, refusals. */
import { afterEach, describe, expect, it } from "vitest";
import { inRepoLegacyPeerPath, startLegacyPeer, startNode, Teardown } from "../src/index.js";

const teardown = new Teardown();
afterEach(() => teardown.run());

describe("in-repo legacy peer command line", () => {
  it("prints the address it really bound for --bind_port 0", async () => {
    const peer = teardown.kill(
      await startLegacyPeer("multi-server", {}, { script: inRepoLegacyPeerPath }),
    );
    expect(peer.port).toBeGreaterThan(0);
    expect(peer.stdout()).toBe(`multi-server listening 127.0.0.1:${peer.port}\n`);
  });

  // Windows has no SIGTERM to catch.
  const signals = process.platform === "win32" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  it.each(signals)("stops with status 0 on %s", async (signal) => {
    const peer = teardown.kill(
      await startLegacyPeer("user-server", {}, { script: inRepoLegacyPeerPath }),
    );
    expect(await peer.stop(signal as NodeJS.Signals)).toBe(0);
    expect(peer.stdout()).toMatch(new RegExp(`^user-server stopped \\(${signal}\\)$`, "m"));
  });

  it.each([
    [
      ["user-client", "--server_port=1", "--server_target_port=2", "--unique_id=12345678901234567"],
      /--unique_id must be at most 16 characters/,
    ],
    [
      ["user-client", "--server_port=1", "--server_target_port=2", "--server_target_host=db.lan"],
      /--server_target_host must be an IPv4 address/,
    ],
    [
      ["multi-client", "--server_port", "1", "--server_target_port", "2"],
      /multi-client needs --target_port/,
    ],
    [["user-server", "--bind_port=http"], /--bind_port must be a port number/],
    [["tunnel"], /the first argument is the mode/],
  ])("exits 2 with one line for %j", async (argv, message) => {
    const run = teardown.kill(startNode(inRepoLegacyPeerPath, argv));
    expect(await run.exited).toBe(2);
    expect(run.stderr().trimEnd().split("\n")).toEqual([expect.stringMatching(message)]);
  });
});
