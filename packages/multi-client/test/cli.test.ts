import { buildFromArgv, createLogger } from "@fwd/cli";
import { FwdError, type MultiClientOptions } from "@fwd/core";
import { describe, expect, it } from "vitest";
import { describeState, program, spec, toMultiClientOptions } from "../src/cli.js";

const log = createLogger("multi-client", { write: () => {} });

/** The options a command line makes, checked as a start checks them (nothing starts). */
function options(argv: string[]) {
  return buildFromArgv(spec, argv, (values) => {
    program.prepare(values, { name: "test", log, env: {} });
    return toMultiClientOptions(values, {});
  });
}

describe("multi-client flags", () => {
  it("defaults to the legacy values", async () => {
    expect(await options([])).toEqual({
      server: { host: "xxx.yyy.cn", port: 33333 },
      target: { host: "localhost", port: 3389 },
      publicPort: 10086,
      uniqueId: "0000000000000000",
      connectTimeoutMs: 10_000,
      registerTimeoutMs: 30_000,
      heartbeatIntervalMs: 2000,
      protocol: "auto",
    });
  });

  it.each([
    [["--server_target_port=13389"], { publicPort: 13389 }],
    [["--target_host", "::1", "--target_port", "22"], { target: { host: "::1", port: 22 } }],
    [["--unique_id", "home"], { uniqueId: "home" }],
    [["--register_timeout", "5"], { registerTimeoutMs: 5000 }],
    [["--protocol=v2", "--tls"], { protocol: "v2", tls: {} }],
    [["--server_target_port=0", "--protocol=v2"], { publicPort: 0 }],
    [["--server_target_port=0", "--token=t"], { publicPort: 0 }],
  ])("maps %j", async (argv, expected) => {
    expect(await options(argv)).toMatchObject(expected);
  });

  it.each([
    [
      ["--server_target_port", "0"],
      /--server_target_port 0 \(any free port\) needs the v2 protocol: set --protocol to v2/,
    ],
    [["--server_target_port", "0", "--protocol=legacy"], /--server_target_port 0/],
    [["--unique_id", "x".repeat(17)], /--unique_id must be at most 16/],
    [["--bind_port", "1"], /unknown flag --bind_port/],
    [["--target_port", "http"], /--target_port/],
  ])("refuses %j as bad usage", async (argv, message) => {
    await expect(options(argv)).rejects.toMatchObject({
      code: "ERR_FWD_INVALID_ARG",
      message: expect.stringMatching(message),
    });
  });

  it("describes each registration state in one line", () => {
    const opts: MultiClientOptions = {
      server: { host: "vps", port: 33333 },
      target: { host: "localhost", port: 3389 },
      publicPort: 10086,
    };
    const error = new FwdError(
      "ERR_FWD_CONN_REFUSED",
      "cannot connect to vps:33333: connection refused",
    );
    expect(describeState({ state: "registered", protocol: "v2", port: 10086 }, opts)).toBe(
      "registered with server vps:33333: public port 10086 is open and reaches localhost:3389",
    );
    expect(
      describeState({ state: "registered", protocol: "v2", port: 10086, downForMs: 6240 }, opts),
    ).toBe(
      "registered with server vps:33333: public port 10086 is open and reaches localhost:3389 (back after 6.2 s)",
    );
    expect(describeState({ state: "requested" }, opts)).toBe(
      "asked server vps:33333 for public port 10086; a legacy server answers only when the first visitor arrives",
    );
    expect(describeState({ state: "registered", protocol: "legacy", port: 10086 }, opts)).toBe(
      "server vps:33333 answered (legacy protocol): public port 10086 reaches localhost:3389",
    );
    expect(describeState({ state: "retrying", error, retryInMs: 1234 }, opts)).toBe(
      "cannot connect to vps:33333: connection refused; retrying (next attempt in 1.2 s)",
    );
    const silent = new FwdError("ERR_FWD_TIMEOUT", "server vps:33333 went silent");
    expect(describeState({ state: "retrying", error: silent, retryInMs: 0 }, opts)).toBe(
      "lost server vps:33333: server vps:33333 went silent; reconnecting",
    );
    expect(describeState({ state: "stopped" }, opts)).toBeUndefined();
  });
});
