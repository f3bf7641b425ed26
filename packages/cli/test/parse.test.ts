import { describe, expect, it } from "vitest";
import { type CliSpec, parseCommandLine } from "../src/parse.js";
import { multiClient, tcpForwarding, userClient } from "./programs.js";

describe("flag hints", () => {
  it.each<[CliSpec, string[], string]>([
    [tcpForwarding, ["--bindport", "1"], "unknown flag --bindport; did you mean --bind_port?"],
    [tcpForwarding, ["--bind-port=1"], "unknown flag --bind-port; did you mean --bind_port?"],
    [
      tcpForwarding,
      ["--targte_host", "x"],
      "unknown flag --targte_host; did you mean --target_host?",
    ],
    [
      userClient,
      ["--target_host", "x"],
      "unknown flag --target_host; did you mean --server_target_host?",
    ],
    [tcpForwarding, ["--bogus", "1"], "unknown flag --bogus; see --help for the flags"],
    [tcpForwarding, ["-x"], "unknown flag -x; see --help for the flags"],
    [
      tcpForwarding,
      ["--bogus", "--bindport", "1"],
      "unknown flag --bogus, --bindport; see --help for the flags",
    ],
    [
      tcpForwarding,
      ["--target_host=192.168.1.200:3389"],
      '--target_host takes a host only, got "192.168.1.200:3389"; put 3389 in --target_port',
    ],
    [
      tcpForwarding,
      ["--bind_host", "[::1]:8080"],
      '--bind_host takes a host only, got "[::1]:8080"; put 8080 in --bind_port',
    ],
    [
      multiClient,
      ["--server_host", "vps.example.com:33333"],
      '--server_host takes a host only, got "vps.example.com:33333"; put 33333 in --server_port',
    ],
    [tcpForwarding, ["--config", "fwd.toml"], "unknown flag --config; see --help for the flags"],
  ])("%s %j: %s", async (spec, argv, message) => {
    await expect(parseCommandLine(spec, argv, {})).rejects.toMatchObject({
      code: "ERR_FWD_INVALID_ARG",
      exitStatus: 2,
      message,
    });
  });

  it.each([["::1"], ["fd00::5"], ["[fd00::5]"], ["db.lan"], ["192.168.1.200"]])(
    "takes the host %j as it is",
    async (host) => {
      const result = await parseCommandLine(tcpForwarding, ["--target_host", host], {});
      expect(result).toMatchObject({
        kind: "run",
        values: { target_host: host.replace(/[[\]]/g, "") },
      });
    },
  );
});

describe("-v and --version", () => {
  it.each([["-v"], ["--version"]])("%s prints the version", async (flag) => {
    const spec = { ...tcpForwarding, version: "9.8.7" };
    expect(await parseCommandLine(spec, [flag], {})).toEqual({ kind: "exit", output: "9.8.7" });
  });
});

describe("explicit flags", () => {
  it.each([
    [[], []],
    [["--bind_port", "1"], ["bind_port"]],
    [
      ["--target_host=db.lan", "--idle_timeout", "2"],
      ["target_host", "idle_timeout"],
    ],
    // The value equals the default, but it was given: it still overrides a config file.
    [["--bind_port", "11111"], ["bind_port"]],
  ])("%j → %j", async (argv, names) => {
    const result = await parseCommandLine(tcpForwarding, argv, {});
    if (result.kind !== "run") throw new Error("expected run");
    expect([...result.explicit].sort()).toEqual([...names].sort());
  });

  it("counts a switch turned off with --no-", async () => {
    const result = await parseCommandLine(userClient, ["--no-tls"], {});
    if (result.kind !== "run") throw new Error("expected run");
    expect(result.values.tls).toBe(false);
    expect([...result.explicit]).toEqual(["tls"]);
  });
});

describe("--config", () => {
  const parse = (argv: string[]) => parseCommandLine(tcpForwarding, argv, {}, { config: true });

  it.each([
    [["--config", "fwd.toml"], "fwd.toml"],
    [["--config=dir/fwd.json", "--bind_port", "0"], "dir/fwd.json"],
    [[], undefined],
    // As for every flag, the last one given wins (the legacy scripts' argparse did so).
    [["--config", "a", "--config", "b"], "b"],
  ])("%j gives the file %j", async (argv, path) => {
    const result = await parse(argv);
    if (result.kind !== "run") throw new Error("expected run");
    expect(result.configPath).toBe(path);
    expect(result.explicit.has("config" as never)).toBe(false);
  });

  it.each([
    [["--config"], /--config needs a value/],
    [["--config="], /--config needs a file name/],
    [["--confg", "a"], /unknown flag --confg; did you mean --config\?/],
  ])("refuses %j", async (argv, message) => {
    await expect(parse(argv)).rejects.toMatchObject({
      code: "ERR_FWD_INVALID_ARG",
      message: expect.stringMatching(message),
    });
  });

  it("is listed in --help", async () => {
    const result = await parse(["--help"]);
    if (result.kind !== "exit") throw new Error("expected help");
    expect(result.output).toMatch(/--config\s+Read the settings from this TOML or JSON file/);
  });
});
