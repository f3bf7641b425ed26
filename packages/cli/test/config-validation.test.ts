import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "../src/config/config-error.js";
import { loadConfig } from "../src/config/load.js";
import type { CliSpec } from "../src/parse.js";
import { multiClient, multiServer, tcpForwarding, userClient, userServer } from "./programs.js";
import { tempDir } from "./temp-files.js";

const files = tempDir();
afterAll(() => files.remove());

/**
 * Writes `text` to a real file, loads it for `spec` and returns its problem
 * lines with the file name cut off ("LINE:COL: message").
 */
async function problemsOf(spec: CliSpec, name: string, text: string): Promise<string[]> {
  const path = files.write(name, text);
  try {
    await loadConfig(path, spec);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    expect(err).toMatchObject({ code: "ERR_FWD_INVALID_ARG", exitStatus: 2, file: path });
    expect(err.message).toBe(err.problems.join("\n"));
    return err.problems.map((line) => {
      expect(line.startsWith(`${path}:`)).toBe(true);
      return line.slice(path.length + 1);
    });
  }
  return [];
}

const lines = (...text: string[]) => `${text.join("\n")}\n`;

type Case = [what: string, spec: CliSpec, file: string, text: string, expected: string[]];

const cases: Case[] = [
  [
    "an unknown top-level key, with the nearest one",
    tcpForwarding,
    "a.toml",
    lines("bind_host = '127.0.0.1'", "bindport = 8080", "colour = 'blue'"),
    ["2:1: unknown key bindport; did you mean bind_port?", "3:1: unknown key colour"],
  ],
  [
    "an unknown key in a tunnel, among the per-tunnel ones",
    multiClient,
    "a.toml",
    lines("[[tunnel]]", "server_target_prot = 13389"),
    ["2:1: unknown key server_target_prot; did you mean server_target_port?"],
  ],
  [
    "program-wide keys inside a tunnel",
    multiClient,
    "a.toml",
    lines(
      "[[tunnel]]",
      "server_target_port = 13389",
      "  server_host = 'vps.example.com'",
      "token_file = 'fwd.token'",
    ),
    [
      "3:3: server_host is program-wide: move it above the first [[tunnel]]",
      "4:1: token_file is program-wide: move it above the first [[tunnel]]",
    ],
  ],
  [
    "a program-wide key inside a JSON tunnel",
    userClient,
    "a.json",
    lines("{", '  "tunnel": [', '    { "bind_port": 1, "server_host": "x" }', "  ]", "}"),
    ['3:23: server_host is program-wide: move it out of the "tunnel" list, to the top level'],
  ],
  [
    "values of the wrong type",
    userClient,
    "a.toml",
    lines(
      'bind_port = "13389"',
      'server_port = "https"',
      "server_target_port = 3389.0",
      "server_target_host = 10",
      'tls = "true"',
      "protocol = ['v2']",
      "unique_id = { a = 1 }",
      "connect_timeout = '5'",
      "idle_timeout = 1979-05-27",
      "handshake_timeout = true",
      "tls_ca = 1",
    ),
    [
      "1:13: bind_port must be a number, not a string: drop the quotes around 13389",
      '2:15: server_port must be a port number from 1 to 65535, got "https"',
      "3:22: server_target_port must be a whole number, got 3389.0",
      "4:22: server_target_host must be a string: put 10 in quotes",
      "5:7: tls must be true or false without quotes",
      "6:12: protocol must be one of auto, legacy, v2, not a list",
      "7:13: unique_id must be a string, not a table",
      "8:19: connect_timeout must be a number, not a string: drop the quotes around 5",
      "9:16: idle_timeout must be a number of seconds, not a date",
      "10:21: handshake_timeout must be a number of seconds, not a boolean",
      "11:10: tls_ca must be a string: put 1 in quotes",
    ],
  ],
  [
    "values out of range",
    userServer,
    "a.toml",
    lines(
      "bind_port = 65536",
      "idle_timeout = -1",
      "handshake_timeout = 0",
      "max_handshakes = 0",
      "token_file = ''",
    ),
    [
      "1:13: bind_port must be a port number from 0 to 65535, got 65536",
      "2:16: idle_timeout must be a positive number of seconds, got -1",
      "3:21: handshake_timeout must be a positive number of seconds, got 0",
      "4:18: max_handshakes must be a whole number from 1 up, got 0",
      '5:14: token_file must be a file name, got ""',
    ],
  ],
  [
    "host:port in host fields",
    tcpForwarding,
    "a.toml",
    lines(
      'target_host = "192.168.1.200:3389"',
      "[[tunnel]]",
      "bind_host = '[::1]:8080'",
      "target_host = 'db.lan:5432'",
    ),
    [
      '1:15: target_host takes a host only, got "192.168.1.200:3389"; put 3389 in target_port',
      '3:13: bind_host takes a host only, got "[::1]:8080"; put 8080 in bind_port',
      '4:15: target_host takes a host only, got "db.lan:5432"; put 5432 in target_port',
    ],
  ],
  [
    "host:port in a JSON host field",
    multiClient,
    "a.json",
    lines("{", '  "server_host": "vps.example.com:33333"', "}"),
    ['2:18: server_host takes a host only, got "vps.example.com:33333"; put 33333 in server_port'],
  ],
  [
    "two tunnels listening on the same address",
    tcpForwarding,
    "a.toml",
    lines(
      "[[tunnel]]",
      "bind_port = 13389",
      "[[tunnel]]",
      "bind_host = '127.0.0.1'",
      "bind_port = 13389",
      "[[tunnel]]",
      "bind_host = '127.0.0.2'",
      "bind_port = 10022",
      "[[tunnel]]",
      "bind_host = '127.0.0.3'",
      "bind_port = 10022",
    ),
    [
      '5:13: tunnel "tunnel-2" has the same listening address 127.0.0.1:13389 as tunnel "13389" (line 1); give each tunnel its own bind_port',
    ],
  ],
  [
    "tunnels that all keep the default port",
    tcpForwarding,
    "a.toml",
    lines("[[tunnel]]", "name = 'a'", "[[tunnel]]", "name = 'b'", "target_port = 22"),
    [
      '3:1: tunnel "b" has the same listening address 0.0.0.0:11111 as tunnel "a" (line 1); give each tunnel its own bind_port',
    ],
  ],
  [
    "two multi-client tunnels asking for the same public port",
    multiClient,
    "a.toml",
    lines(
      "[[tunnel]]",
      "name = 'rdp'",
      "server_target_port = 13389",
      "[[tunnel]]",
      "name = 'web'",
      "target_port = 8080",
      "server_target_port = 13389",
    ),
    [
      '7:22: tunnel "web" has the same public port 13389 as tunnel "rdp" (line 1); give each tunnel its own server_target_port',
    ],
  ],
  [
    "a tunnel name given twice, and names that are not names",
    multiClient,
    "a.toml",
    lines(
      "[[tunnel]]",
      "name = 'rdp'",
      "server_target_port = 1",
      "[[tunnel]]",
      "name = 'rdp'",
      "server_target_port = 2",
      "[[tunnel]]",
      "name = 'my tunnel'",
      "server_target_port = 3",
      "[[tunnel]]",
      "name = 4",
      "server_target_port = 4",
    ),
    [
      '5:8: tunnel name "rdp" is already used by the tunnel at line 1; names must differ',
      "8:8: name must be a string of letters, digits, '.', '_' or '-' (up to 64), got \"my tunnel\"",
      "11:8: name must be a string of letters, digits, '.', '_' or '-' (up to 64), got a number",
    ],
  ],
  [
    "a name outside any tunnel",
    userClient,
    "a.toml",
    lines("name = 'x'"),
    ["1:1: name belongs to a tunnel: put it inside a [[tunnel]] table"],
  ],
  [
    "[[tunnel]] in a user-server config",
    userServer,
    "a.toml",
    lines("bind_port = 22222", "", "[[tunnel]]", "bind_port = 1"),
    [
      "3:1: user-server takes no tunnel tables: it serves one listener; put its keys at the top level",
    ],
  ],
  [
    "tunnels in a multi-server JSON config",
    multiServer,
    "a.json",
    lines("{", '  "tunnel": [{}, {}]', "}"),
    [
      "2:14: multi-server takes no tunnel tables: it serves one listener; put its keys at the top level",
      "2:18: multi-server takes no tunnel tables: it serves one listener; put its keys at the top level",
    ],
  ],
  [
    "a tunnel key of another shape in a server config",
    userServer,
    "a.json",
    lines("{", '  "tunnel": { "bind_port": 1 }', "}"),
    [
      "2:3: user-server takes no tunnel tables: it serves one listener; put its keys at the top level",
    ],
  ],
  [
    "tables that are not [[tunnel]]",
    tcpForwarding,
    "a.toml",
    lines("[tunnel]", "bind_port = 1", "[[tunnels]]", "[server]", "[[tunnel.extra]]"),
    [
      "1:1: [tunnel] is a single table; write [[tunnel]] (double brackets) for each tunnel",
      "3:1: unknown table [[tunnels]]; did you mean [[tunnel]]?",
      "4:1: unknown table [server]; a config file has top-level keys and [[tunnel]] tables only",
      "5:1: unknown table [[tunnel.extra]]; a config file has top-level keys and [[tunnel]] tables only",
    ],
  ],
  [
    "tunnel given as something else than tables",
    tcpForwarding,
    "a.toml",
    lines("tunnel = 'all'"),
    ["1:1: tunnel must be a list of tables: write each tunnel as a [[tunnel]] table"],
  ],
  [
    "a TOML syntax error: a string not closed",
    tcpForwarding,
    "a.toml",
    lines("bind_port = 1", 'target_host = "db.lan', "target_port = 1"),
    ["2:22: TOML syntax: unterminated string constant"],
  ],
  [
    "a TOML syntax error: no equals sign",
    tcpForwarding,
    "a.toml",
    lines("# comment", "bind_port 1"),
    ["2:11: TOML syntax: expected equal (=) token"],
  ],
  [
    "a TOML syntax error: two values",
    tcpForwarding,
    "a.toml",
    lines("bind_port = 1 2"),
    ["1:15: TOML syntax: must be a newline"],
  ],
  [
    "a key given twice in TOML",
    tcpForwarding,
    "a.toml",
    lines("bind_port = 1", "bind_port = 2"),
    ["2:1: TOML syntax: defining a key multiple times is invalid"],
  ],
  [
    "JSON syntax errors, all of them",
    tcpForwarding,
    "a.json",
    lines("{", '  "bind_port": 1,', '  "target_port": 2', '  "bind_host": "x",', "}"),
    ["4:3: JSON syntax: comma expected", "5:1: JSON syntax: property name expected"],
  ],
  [
    "a key given twice in JSON",
    tcpForwarding,
    "a.json",
    lines("{", '  "bind_port": 1,', '  "bind_port": 2', "}"),
    ['3:3: "bind_port" is given twice (first at line 2); keep one'],
  ],
  [
    "JSON that is not an object",
    tcpForwarding,
    "a.json",
    lines("[1, 2]"),
    ["1:1: the file must hold one JSON object { … }"],
  ],
  [
    "every problem of a file, in file order",
    userClient,
    "a.toml",
    lines(
      'server_host = "office.example.com:22222"',
      "bindport = 1",
      "[[tunnel]]",
      "bind_port = 70000",
      "tls = true",
      "[[tunnel]]",
      "bind_port = 13389",
      "[[tunnel]]",
      "bind_port = 13389",
    ),
    [
      '1:15: server_host takes a host only, got "office.example.com:22222"; put 22222 in server_port',
      "2:1: unknown key bindport; did you mean bind_port?",
      "4:13: bind_port must be a port number from 0 to 65535, got 70000",
      "5:1: tls is program-wide: move it above the first [[tunnel]]",
      '9:13: tunnel "tunnel-3" has the same listening address 0.0.0.0:13389 as tunnel "13389" (line 6); give each tunnel its own bind_port',
    ],
  ],
];

describe("config file validation", () => {
  it.each(cases)("reports %s", async (_what, spec, name, text, expected) => {
    expect(await problemsOf(spec, name, text)).toEqual(expected);
  });

  it.each([
    [
      tcpForwarding,
      "ok.toml",
      lines(
        "[[tunnel]]",
        "bind_host = '127.0.0.1'",
        "bind_port = 80",
        "[[tunnel]]",
        "bind_host = '127.0.0.2'",
        "bind_port = 80",
        "[[tunnel]]",
        "bind_port = 0",
        "[[tunnel]]",
        "bind_port = 0",
      ),
    ],
    [userClient, "ok.toml", lines("connect_timeout = 2.5", "idle_timeout = 60", "tls = false")],
    [multiServer, "ok.json", lines("{", '  "$schema": "./schema.json",', '  "bind_port": 0', "}")],
    [tcpForwarding, "ok.toml", "tunnel = [{ bind_port = 1 }, { bind_port = 2 }]\n"],
    [tcpForwarding, "empty.toml", ""],
    [userClient, "schema.toml", '"$schema" = "../user-client/config.schema.json"\n'],
    [tcpForwarding, "bom.toml", "\uFEFFbind_port = 1\n"],
    [tcpForwarding, "empty-list.json", '{ "tunnel": [] }'],
  ])("accepts %#: a valid file", async (spec, name, text) => {
    expect(await problemsOf(spec, name, text)).toEqual([]);
  });

  it.each([
    ["missing.toml", /^cannot read --config .*missing\.toml: no such file$/],
    [".", /^cannot read --config .*: it is a directory$/],
  ])("refuses a file it cannot read: %s", async (name, message) => {
    const path = name === "." ? files.dir : `${files.dir}/${name}`;
    await expect(loadConfig(path, tcpForwarding)).rejects.toMatchObject({
      code: "ERR_FWD_INVALID_ARG",
      message: expect.stringMatching(message),
    });
  });
});
