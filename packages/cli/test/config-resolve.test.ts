import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readInvocation } from "../src/config/invocation.js";
import { parseCommandLine } from "../src/parse.js";
import { multiClient, multiServer, tcpForwarding, userClient } from "./programs.js";
import { tempDir } from "./temp-files.js";

const files = tempDir();
afterAll(() => files.remove());

const lines = (...text: string[]) => `${text.join("\n")}\n`;

async function run<F extends Parameters<typeof readInvocation>[0]>(spec: F, argv: string[]) {
  const invocation = await readInvocation(spec, argv, {});
  if (invocation.kind !== "run") throw new Error("expected run");
  return invocation;
}

describe("a command line without --config", () => {
  it.each([[[]], [["--bind_port", "0", "--target_host", "db.lan"]], [["--idle_timeout", "2.5"]]])(
    "%j is one tunnel with exactly the values of parseCommandLine",
    async (argv) => {
      const parsed = await parseCommandLine(tcpForwarding, argv, {});
      if (parsed.kind !== "run") throw new Error("expected run");
      const { config, configPath } = await run(tcpForwarding, argv);
      expect(configPath).toBeUndefined();
      expect(config.file).toBeUndefined();
      expect(config.program).toEqual(parsed.values);
      expect(config.tunnels).toHaveLength(1);
      expect(config.tunnels[0]!.values).toEqual(parsed.values);
      expect(config.tunnels[0]!.at).toBeUndefined();
    },
  );

  it("names its one tunnel after the port, and a server after the program", async () => {
    expect((await run(tcpForwarding, ["--bind_port", "13389"])).config.tunnels[0]!.name).toBe(
      "13389",
    );
    expect((await run(tcpForwarding, ["--bind_port", "0"])).config.tunnels[0]!.name).toBe(
      "tunnel-1",
    );
    expect((await run(multiServer, [])).config.tunnels[0]!.name).toBe("multi-server");
  });

  it("prints the version for -v", async () => {
    expect(await readInvocation({ ...tcpForwarding, version: "1.2.3" }, ["-v"], {})).toEqual({
      kind: "exit",
      output: "1.2.3",
    });
  });
});

describe("a config file with the command line", () => {
  const homeClient = files.write(
    "home.toml",
    lines(
      "server_host = 'vps.example.com'",
      "token_file = 'secrets/fwd.token'",
      "target_host = 'localhost'",
      "idle_timeout = 60",
      "[[tunnel]]",
      "name = 'rdp'",
      "target_port = 3389",
      "server_target_port = 13389",
      "[[tunnel]]",
      "target_host = '192.168.1.50'",
      "target_port = 8080",
      "server_target_port = 18080",
      "idle_timeout = 5",
    ),
  );

  it("merges defaults ← top level ← tunnel, and names the unnamed tunnel after its port", async () => {
    const { config, configPath } = await run(multiClient, ["--config", homeClient]);
    expect(configPath).toBe(homeClient);
    expect(config.file).toBe(homeClient);
    expect(config.tunnels.map((tunnel) => [tunnel.name, tunnel.named])).toEqual([
      ["rdp", true],
      ["18080", false],
    ]);
    const [rdp, web] = config.tunnels;
    expect(rdp!.values).toMatchObject({
      server_host: "vps.example.com",
      server_port: 33333, // the default
      target_host: "localhost",
      target_port: 3389,
      server_target_port: 13389,
      idle_timeout: 60,
      register_timeout: 30,
    });
    expect(web!.values).toMatchObject({
      server_host: "vps.example.com",
      target_host: "192.168.1.50",
      target_port: 8080,
      server_target_port: 18080,
      idle_timeout: 5,
    });
    expect(rdp!.at).toBe(`${homeClient}:5:1`);
    expect(web!.at).toBe(`${homeClient}:9:1`);
    expect(web!.origins).toMatchObject({
      server_host: `${homeClient}:1:15`,
      target_host: `${homeClient}:10:15`,
      idle_timeout: `${homeClient}:13:16`,
    });
    expect(web!.origins.server_port).toBeUndefined();
    expect(config.program).toMatchObject({ server_host: "vps.example.com", idle_timeout: 60 });
  });

  it("reads file names relative to the config file", async () => {
    const { config } = await run(multiClient, ["--config", homeClient]);
    const expected = join(files.dir, "secrets", "fwd.token");
    expect(config.program.token_file).toBe(expected);
    expect(config.tunnels.map((tunnel) => tunnel.values.token_file)).toEqual([expected, expected]);
  });

  it("lets program-wide flags on the command line override the file", async () => {
    const { config } = await run(multiClient, [
      "--config",
      homeClient,
      "--server_host",
      "other.example.com",
      "--token_file=cli.token",
    ]);
    for (const values of [config.program, ...config.tunnels.map((tunnel) => tunnel.values)]) {
      expect(values).toMatchObject({ server_host: "other.example.com", token_file: "cli.token" });
    }
    expect(config.tunnels[0]!.origins.server_host).toBe("command line");
  });

  it("refuses a per-tunnel flag on the command line with several tunnels", async () => {
    await expect(
      readInvocation(multiClient, ["--config", homeClient, "--target_port", "22"], {}),
    ).rejects.toMatchObject({
      code: "ERR_FWD_INVALID_ARG",
      message: `--target_port would apply to all 2 tunnels of ${homeClient}; set it in the file instead (in each [[tunnel]], or at the top level for all)`,
    });
  });

  it.each([
    ["no tunnel tables", lines("bind_port = 13389", "target_host = 'db.lan'")],
    ["one tunnel table", lines("[[tunnel]]", "bind_port = 13389", "target_host = 'db.lan'")],
  ])("lets a per-tunnel flag override a file with %s", async (_what, text) => {
    const path = files.write("one.toml", text);
    const { config } = await run(tcpForwarding, ["--config", path, "--bind_port", "0"]);
    expect(config.tunnels).toHaveLength(1);
    expect(config.tunnels[0]!.values).toMatchObject({ bind_port: 0, target_host: "db.lan" });
    expect(config.tunnels[0]!.origins).toMatchObject({ bind_port: "command line" });
  });

  it("reads the same settings from JSON", async () => {
    const toml = files.write(
      "client.toml",
      lines(
        "server_host = 'office.example.com'",
        "tls = true",
        "[[tunnel]]",
        "bind_port = 13389",
        "server_target_host = '192.168.1.200'",
        "[[tunnel]]",
        "name = 'ssh'",
        "bind_port = 10022",
        "server_target_port = 22",
        "connect_timeout = 2.5",
      ),
    );
    const json = files.write(
      "client.json",
      JSON.stringify({
        server_host: "office.example.com",
        tls: true,
        tunnel: [
          { bind_port: 13389, server_target_host: "192.168.1.200" },
          { name: "ssh", bind_port: 10022, server_target_port: 22, connect_timeout: 2.5 },
        ],
      }),
    );
    const fromToml = (await run(userClient, ["--config", toml])).config;
    const fromJson = (await run(userClient, ["--config", json])).config;
    expect(fromJson.program).toEqual(fromToml.program);
    expect(fromJson.tunnels.map((tunnel) => [tunnel.name, tunnel.values])).toEqual(
      fromToml.tunnels.map((tunnel) => [tunnel.name, tunnel.values]),
    );
  });

  it("derives unique names: port, else tunnel-N", async () => {
    const path = files.write(
      "names.toml",
      lines(
        "[[tunnel]]",
        "bind_port = 0",
        "[[tunnel]]",
        "name = '10022'",
        "bind_port = 2222",
        "[[tunnel]]",
        "bind_port = 10022",
        "[[tunnel]]",
        "bind_port = 13389",
        "[[tunnel]]",
        "name = 'tunnel-6'",
        "bind_port = 1",
        "[[tunnel]]",
        "bind_port = 0",
      ),
    );
    const { config } = await run(tcpForwarding, ["--config", path]);
    expect(config.tunnels.map((tunnel) => tunnel.name)).toEqual([
      "tunnel-1",
      "10022",
      "tunnel-3",
      "13389",
      "tunnel-6",
      "tunnel-6-2",
    ]);
  });
});
