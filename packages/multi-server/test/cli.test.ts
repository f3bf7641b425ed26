import { buildFromArgv } from "@fwd/cli";
import { describe, expect, it } from "vitest";
import { spec, toMultiServerOptions } from "../src/cli.js";

function options(argv: string[]) {
  return buildFromArgv(spec, argv, (values) => toMultiServerOptions(values, {}));
}

describe("multi-server flags", () => {
  it("defaults to the legacy values", async () => {
    expect(await options([])).toEqual({
      bind: { host: "0.0.0.0", port: 33333 },
      handshakeTimeoutMs: 10_000,
      holdTimeoutMs: 10_000,
      heartbeatIntervalMs: 2000,
      maxHandshakesPerSource: 128,
      publicHost: "0.0.0.0",
      maxHandshakes: 256,
    });
  });

  it.each([
    [["--bind_port", "4444", "--bind_host=::"], { bind: { host: "::", port: 4444 } }],
    [["--hold_timeout=2"], { holdTimeoutMs: 2000 }],
    [["--idle_timeout=600"], { idleTimeoutMs: 600_000 }],
    [["--allow_ports=10000-10100,3389"], { allowPorts: expect.objectContaining({}) }],
  ])("maps %j", async (argv, expected) => {
    expect(await options(argv)).toMatchObject(expected);
  });

  it.each([
    [["--bind_port", "-3"], /--bind_port/],
    [["--hold_timeout", "soon"], /--hold_timeout/],
    [["--server_host", "x"], /unknown flag --server_host/],
    [["--allow_ports", "0-5"], /--allow_ports/],
    [["--tls_key", "k.pem"], /--tls_cert and --tls_key go together/],
  ])("refuses %j as bad usage", async (argv, message) => {
    await expect(options(argv)).rejects.toMatchObject({
      code: "ERR_FWD_INVALID_ARG",
      message: expect.stringMatching(message),
    });
  });
});
