import { parseCommandLine } from "@fwd/cli";
import { describe, expect, it } from "vitest";
import { spec, toForwardOptions } from "../src/cli.js";

const parse = (argv: string[]) => parseCommandLine(spec, argv, {});

describe("tcp-forwarding flags", () => {
  it("defaults to the legacy values", async () => {
    const result = await parse([]);
    expect(result).toEqual({
      kind: "run",
      values: {
        bind_host: "0.0.0.0",
        bind_port: 11111,
        target_host: "localhost",
        target_port: 3389,
        connect_timeout: 10,
        idle_timeout: undefined,
        drain_timeout: 30,
        log_level: "info",
        log_format: "text",
        status_port: undefined,
        status_host: "127.0.0.1",
        status_token: undefined,
      },
      explicit: new Set(),
    });
  });

  it.each([
    [["--bind_port=2222"], { bind_port: 2222 }],
    [["--bind_port", "2222"], { bind_port: 2222 }],
    [["--bind_host", "::1"], { bind_host: "::1" }],
    [["--bind_host=[::1]"], { bind_host: "::1" }],
    [
      ["--target_host", "db.lan", "--target_port", "5432"],
      { target_host: "db.lan", target_port: 5432 },
    ],
    [["--bind_port", "0"], { bind_port: 0 }],
    [["--bind_port", "1", "--bind_port", "2"], { bind_port: 2 }],
    [["--idle_timeout", "1.5"], { idle_timeout: 1.5 }],
  ])("parses %j", async (argv, expected) => {
    const result = await parse(argv);
    expect(result.kind).toBe("run");
    if (result.kind === "run") expect(result.values).toMatchObject(expected);
  });

  it.each([
    [["--bind_port", "abc"], /--bind_port must be a port number/],
    [["--bind_port", "65536"], /--bind_port must be a port number/],
    [["--bind_port", "-1"], /--bind_port must be a port number/],
    [["--bind_port", "0x10"], /--bind_port must be a port number/],
    [["--target_port", "0"], /--target_port must be a port number from 1/],
    [["--bind_port"], /--bind_port needs a value/],
    [["--bind_host="], /--bind_host must be a host name/],
    [["--target_host", " "], /--target_host must be a host name/],
    [["--bogus", "1"], /unknown flag --bogus/],
    [["--bind-port", "1"], /unknown flag --bind-port/],
    [["stray"], /unexpected argument stray/],
    [["--connect_timeout", "0"], /--connect_timeout must be a positive number/],
  ])("refuses %j as bad usage", async (argv, message) => {
    await expect(parse(argv)).rejects.toMatchObject({
      code: "ERR_FWD_INVALID_ARG",
      exitStatus: 2,
      message: expect.stringMatching(message),
    });
  });

  it("shows every flag with its default in --help", async () => {
    const result = await parse(["--help"]);
    expect(result.kind).toBe("exit");
    if (result.kind !== "exit") return;
    for (const line of [
      /--bind_host\s.*\[default: "0\.0\.0\.0"\]/,
      /--bind_port\s.*\[default: 11111\]/,
      /--target_host\s.*\[default: "localhost"\]/,
      /--target_port\s.*\[default: 3389\]/,
    ]) {
      expect(result.output).toMatch(line);
    }
  });

  it("maps flags onto forward() options", async () => {
    const result = await parse(["--bind_port", "0", "--idle_timeout", "2"]);
    if (result.kind !== "run") throw new Error("expected run");
    expect(toForwardOptions(result.values)).toEqual({
      bind: { host: "0.0.0.0", port: 0 },
      target: { host: "localhost", port: 3389 },
      connectTimeoutMs: 10_000,
      idleTimeoutMs: 2000,
    });
  });
});
