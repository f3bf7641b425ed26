import { afterAll, describe, expect, it } from "vitest";
import { diffConfigs } from "../src/config/diff.js";
import { loadConfig } from "../src/config/load.js";
import { multiClient, userServer } from "./programs.js";
import { tempDir } from "./temp-files.js";

const files = tempDir();
afterAll(() => files.remove());

const lines = (...text: string[]) => `${text.join("\n")}\n`;

const TOP = ["server_host = 'vps.example.com'", "token_file = 'fwd.token'"];
const RDP = ["[[tunnel]]", "name = 'rdp'", "target_port = 3389", "server_target_port = 13389"];
const SSH = ["[[tunnel]]", "name = 'ssh'", "target_port = 22", "server_target_port = 10022"];
const WEB = ["[[tunnel]]", "name = 'web'", "target_port = 8080", "server_target_port = 18080"];

/** Loads two versions of one config file, as a reload does. */
async function reload(before: string[], after: string[]) {
  const path = files.write("home.toml", lines(...before));
  const previous = await loadConfig(path, multiClient);
  files.write("home.toml", lines(...after));
  const next = await loadConfig(path, multiClient);
  return { previous, next };
}

const names = (tunnels: { name: string }[]) => tunnels.map((tunnel) => tunnel.name);

describe("diffConfigs", () => {
  it("keeps what is the same, drains what is gone, starts what is new", async () => {
    const { previous, next } = await reload([...TOP, ...RDP, ...SSH], [...TOP, ...RDP, ...WEB]);
    const diff = diffConfigs(multiClient, previous, next);
    expect(diff.program).toEqual([]);
    expect(names(diff.unchanged)).toEqual(["rdp"]);
    expect(names(diff.removed)).toEqual(["ssh"]);
    expect(names(diff.added)).toEqual(["web"]);
    expect(diff.changed).toEqual([]);
  });

  it("restarts a tunnel whose own values changed, with the keys that did", async () => {
    const changedSsh = [
      "[[tunnel]]",
      "name = 'ssh'",
      "target_port = 2222",
      "server_target_port = 10022",
      "idle_timeout = 60",
    ];
    const { previous, next } = await reload(
      [...TOP, ...RDP, ...SSH],
      [...TOP, ...RDP, ...changedSsh],
    );
    const diff = diffConfigs(multiClient, previous, next);
    expect(names(diff.unchanged)).toEqual(["rdp"]);
    expect(diff.changed.map(({ next, keys }) => [next.name, keys])).toEqual([
      ["ssh", ["target_port", "idle_timeout"]],
    ]);
    expect(diff.changed[0]!.previous.values.target_port).toBe(22);
    expect(diff.changed[0]!.next.values.target_port).toBe(2222);
  });

  it("restarts every tunnel when a program-wide value changes", async () => {
    const moved = ["server_host = 'new.example.com'", "token_file = 'fwd.token'"];
    const { previous, next } = await reload([...TOP, ...RDP, ...SSH], [...moved, ...RDP, ...SSH]);
    const diff = diffConfigs(multiClient, previous, next);
    expect(diff.program).toEqual(["server_host"]);
    expect(diff.unchanged).toEqual([]);
    expect(diff.changed.map(({ next, keys }) => [next.name, keys])).toEqual([
      ["rdp", ["server_host"]],
      ["ssh", ["server_host"]],
    ]);
  });

  it("restarts the tunnels a changed top-level default reaches, not the program", async () => {
    const idle = [...TOP, "idle_timeout = 60"];
    const ownIdle = [...SSH, "idle_timeout = 5"];
    const { previous, next } = await reload(
      [...TOP, ...RDP, ...ownIdle],
      [...idle, ...RDP, ...ownIdle],
    );
    const diff = diffConfigs(multiClient, previous, next);
    expect(diff.program).toEqual([]);
    expect(diff.changed.map(({ next, keys }) => [next.name, keys])).toEqual([
      ["rdp", ["idle_timeout"]],
    ]);
    expect(names(diff.unchanged)).toEqual(["ssh"]);
  });

  it("leaves tunnels alone for keys the caller applies live", async () => {
    const rotated = ["server_host = 'vps.example.com'", "token_file = 'new.token'"];
    const { previous, next } = await reload([...TOP, ...RDP], [...rotated, ...RDP]);
    const diff = diffConfigs(multiClient, previous, next, { live: ["token_file"] });
    expect(diff.program).toEqual(["token_file"]);
    expect(names(diff.unchanged)).toEqual(["rdp"]);
    expect(diff.changed).toEqual([]);
  });

  it("sees a renamed tunnel as one removed and one added", async () => {
    const renamed = RDP.map((line) => line.replace("'rdp'", "'desktop'"));
    const { previous, next } = await reload([...TOP, ...RDP], [...TOP, ...renamed]);
    const diff = diffConfigs(multiClient, previous, next);
    expect(names(diff.removed)).toEqual(["rdp"]);
    expect(names(diff.added)).toEqual(["desktop"]);
  });

  it("finds nothing to do when only comments and order of keys changed", async () => {
    const reordered = [
      "# moved things around",
      "token_file = 'fwd.token'",
      "server_host = 'vps.example.com'",
    ];
    const { previous, next } = await reload([...TOP, ...RDP], [...reordered, ...RDP]);
    const diff = diffConfigs(multiClient, previous, next);
    expect(diff).toMatchObject({ program: [], removed: [], added: [], changed: [] });
    expect(names(diff.unchanged)).toEqual(["rdp"]);
  });

  it("restarts a server's one listener on any change", async () => {
    const path = files.write("server.toml", lines("bind_port = 33333"));
    const previous = await loadConfig(path, userServer);
    files.write("server.toml", lines("bind_port = 33334"));
    const next = await loadConfig(path, userServer);
    const diff = diffConfigs(userServer, previous, next);
    expect(diff.program).toEqual(["bind_port"]);
    expect(diff.changed.map(({ next }) => next.name)).toEqual(["user-server"]);
  });
});
