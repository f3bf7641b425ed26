import { buildFromArgv, parseCommandLine } from "@fwd/cli";
import { describe, expect, it } from "vitest";
import { spec, toUserServerOptions } from "../src/cli.js";

const parse = (argv: string[]) => parseCommandLine(spec, argv, {});

describe("user-server flags", () => {
  it("defaults to the legacy values", async () => {
    const result = await parse([]);
    if (result.kind !== "run") throw new Error("expected run");
    expect(result.values).toMatchObject({ bind_host: "0.0.0.0", bind_port: 22222 });
    expect(toUserServerOptions(result.values, {})).toEqual({
      bind: { host: "0.0.0.0", port: 22222 },
      handshakeTimeoutMs: 10_000,
      connectTimeoutMs: 10_000,
      heartbeatIntervalMs: 2000,
      maxHandshakesPerSource: 128,
      maxHandshakes: 256,
    });
  });

  it.each([
    [["--bind_port=3333", "--bind_host", "::"], { bind: { host: "::", port: 3333 } }],
    [["--handshake_timeout", "2.5"], { handshakeTimeoutMs: 2500 }],
    [["--idle_timeout=60"], { idleTimeoutMs: 60_000 }],
    [["--allow_targets", "10.0.0.0/8:3389"], { allowTargets: expect.objectContaining({}) }],
    [["--max_handshakes", "10"], { maxHandshakes: 10 }],
  ])("maps %j", async (argv, expected) => {
    const result = await parse(argv);
    if (result.kind !== "run") throw new Error("expected run");
    expect(toUserServerOptions(result.values, {})).toMatchObject(expected);
  });

  it.each([
    [["--bind_port", "x"], /--bind_port/],
    [["--server_host", "a"], /unknown flag --server_host/],
    [["--handshake_timeout", "-1"], /--handshake_timeout/],
    [["--allow_targets", "10.0.0.0/40"], /--allow_targets has .*prefix length/],
    [["--tls_cert", "cert.pem"], /--tls_cert and --tls_key go together/],
    [
      ["--tls_cert", "/nonexistent.pem", "--tls_key", "/nonexistent.key"],
      /--tls_cert cannot be read/,
    ],
    [["--token_file", "/nonexistent/token"], /--token_file cannot be read/],
    [["--max_handshakes", "0"], /--max_handshakes must be a whole number/],
  ])("refuses %j", async (argv, message) => {
    const run = () => buildFromArgv(spec, argv, (values) => toUserServerOptions(values, {}));
    await expect(run()).rejects.toMatchObject({
      code: "ERR_FWD_INVALID_ARG",
      message: expect.stringMatching(message),
    });
  });

  it("reads the token from FWD_TOKEN when no flag gives one", async () => {
    const result = await parse([]);
    if (result.kind !== "run") throw new Error("expected run");
    expect(toUserServerOptions(result.values, { FWD_TOKEN: "from-env" }).token).toBeDefined();
    expect(toUserServerOptions(result.values, {}).token).toBeUndefined();
  });

  it("lists its flags with defaults in --help", async () => {
    const result = await parse(["--help"]);
    if (result.kind !== "exit") throw new Error("expected help");
    expect(result.output).toMatch(/--bind_host\s.*\[default: "0\.0\.0\.0"\]/);
    expect(result.output).toMatch(/--bind_port\s.*\[default: 22222\]/);
  });
});
