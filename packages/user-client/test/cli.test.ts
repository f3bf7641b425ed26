import { buildFromArgv, parseCommandLine } from "@fwd/cli";
import { UserClient } from "@fwd/core";
import { describe, expect, it } from "vitest";
import { spec, toUserClientOptions } from "../src/cli.js";

/** The options a command line makes, checked by constructing (not starting) the client. */
function options(argv: string[]) {
  return buildFromArgv(spec, argv, (values) => {
    const built = toUserClientOptions(values, {});
    new UserClient(built);
    return built;
  });
}

describe("user-client flags", () => {
  it("defaults to the legacy values", async () => {
    expect(await options([])).toEqual({
      bind: { host: "0.0.0.0", port: 10086 },
      server: { host: "xxx.yyy.cn", port: 22222 },
      target: { host: "192.168.1.200", port: 3389 },
      uniqueId: "0000000000000000",
      connectTimeoutMs: 10_000,
      handshakeTimeoutMs: 10_000,
      heartbeatIntervalMs: 2000,
      protocol: "auto",
    });
  });

  it.each([
    [["--unique_id", "abc"], { uniqueId: "abc" }],
    [["--unique_id=0123456789abcdef"], { uniqueId: "0123456789abcdef" }],
    [
      ["--server_host", "vpn.example", "--server_port=443"],
      { server: { host: "vpn.example", port: 443 } },
    ],
    [
      ["--server_target_host", "10.0.0.5", "--server_target_port", "22"],
      { target: { host: "10.0.0.5", port: 22 } },
    ],
    [["--bind_host", "127.0.0.1", "--bind_port", "0"], { bind: { host: "127.0.0.1", port: 0 } }],
    [
      ["--server_target_host", "db.lan"],
      { target: { host: "db.lan", port: 3389 }, protocol: "auto" },
    ],
    [["--server_target_host", "[fd00::5]"], { target: { host: "fd00::5", port: 3389 } }],
    [["--tls"], { tls: {} }],
    [
      ["--tls_fingerprint", `sha256:${"ab".repeat(32)}`],
      { tls: { fingerprint: Array(32).fill("AB").join(":") } },
    ],
  ])("maps %j", async (argv, expected) => {
    expect(await options(argv)).toMatchObject(expected);
  });

  it.each([
    [["--unique_id", "12345678901234567"], /--unique_id must be at most 16/],
    [
      ["--protocol=legacy", "--server_target_host", "db.lan"],
      /--server_target_host must be an IPv4 address/,
    ],
    [
      ["--protocol=legacy", "--server_target_host", "::1"],
      /--server_target_host must be an IPv4 address/,
    ],
    [["--protocol=legacy", "--token", "x"], /--protocol is legacy, which cannot carry a token/],
    [["--protocol=v3"], /--protocol must be one of auto, legacy, v2/],
    [["--tls_fingerprint", "sha256:12"], /--tls_fingerprint must be a SHA-256 fingerprint/],
    [["--tls_ca", "/nonexistent/ca.pem"], /--tls_ca cannot be read/],
    [["--server_port", "0"], /--server_port/],
    [["--server_target_port", "70000"], /--server_target_port/],
    [["--target_host", "x"], /unknown flag --target_host/],
  ])("refuses %j as bad usage", async (argv, message) => {
    await expect(options(argv)).rejects.toMatchObject({
      code: "ERR_FWD_INVALID_ARG",
      exitStatus: 2,
      message: expect.stringMatching(message),
    });
  });

  it("lists its legacy flags with defaults in --help", async () => {
    const result = await parseCommandLine(spec, ["--help"], {});
    if (result.kind !== "exit") throw new Error("expected help");
    for (const [flag, value] of [
      ["server_host", '"xxx.yyy.cn"'],
      ["server_port", "22222"],
      ["bind_host", '"0.0.0.0"'],
      ["bind_port", "10086"],
      ["server_target_host", '"192.168.1.200"'],
      ["server_target_port", "3389"],
      ["unique_id", '"0000000000000000"'],
    ]) {
      // Lazy: the first default after the flag is its own (long lines wrap).
      expect(result.output).toMatch(new RegExp(`--${flag}\\s[^]*?\\[default: ${value}\\]`));
    }
  });
});
