/**
 * TunnelSet with real forwarders in-process: totals survive a restart, a
 * replacement that cannot start gives way to the previous settings, and a
 * value no tunnel can use refuses the whole reload.
 */
import { type Forwarder, formatEndpoint, forward } from "@fwd/core";
import { exchange, payload, startEchoServer, startServer, Teardown } from "@fwd/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { diffConfigs } from "../src/config/diff.js";
import { parseConfig } from "../src/config/load.js";
import type { FlagValues } from "../src/flags.js";
import { perTunnel } from "../src/flags.js";
import { createLogger } from "../src/logger.js";
import type { CliSpec } from "../src/parse.js";
import { LIVE_KEYS, lifecycleFlags } from "../src/presets.js";
import type { RunningTunnel, TunnelProgram } from "../src/tunnels/program.js";
import { TunnelSet } from "../src/tunnels/tunnel-set.js";
import { usageError } from "../src/usage-error.js";

const spec = {
  name: "test-forward",
  version: "0.0.0",
  summary: "",
  flags: {
    ...perTunnel({
      bind_port: { kind: "listen-port", default: 0, describe: "", option: "bind.port" },
      target_port: { kind: "port", default: 1, describe: "", option: "target.port" },
      idle_timeout: { kind: "seconds", describe: "", option: "idleTimeoutMs" },
    }),
    ...lifecycleFlags,
  },
  tunnels: { port: "bind_port", what: "listening address" },
} as const satisfies CliSpec;

type Values = FlagValues<typeof spec.flags>;
type ForwardTunnel = RunningTunnel & { forwarder: Forwarder };

const program: TunnelProgram<typeof spec.flags, ForwardTunnel> = {
  spec,
  prepare(values: Values) {
    if (values.target_port === 9) throw usageError("`target.port` 9 is refused by this test");
    return async () => {
      const forwarder = await forward({
        bind: { host: "127.0.0.1", port: values.bind_port },
        target: { host: "127.0.0.1", port: values.target_port },
      });
      const listen = formatEndpoint(forwarder.address());
      return {
        forwarder,
        service: forwarder,
        peers: "clients",
        describe: () => ({ kind: "forward", detail: `listening on ${listen}`, listen }),
      };
    };
  },
};

const teardown = new Teardown();
afterEach(() => teardown.run());

function tunnels(...rows: string[][]): string {
  return rows.map((lines) => ["[[tunnel]]", ...lines, ""].join("\n")).join("\n");
}

async function startSet(text: string) {
  const lines: string[] = [];
  const log = createLogger(spec.name, { write: (line) => lines.push(line) });
  const set = new TunnelSet(program, { log, env: {}, drainMs: () => 1000 });
  await set.start(parseConfig(text, "t.toml", spec));
  teardown.add(() => set.destroy());
  const reload = (next: string) => {
    const config = parseConfig(next, "t.toml", spec);
    const live = LIVE_KEYS as readonly (keyof Values & string)[];
    return set.apply(config, diffConfigs(spec, set.config, config, { live }));
  };
  const portOf = (name: string) =>
    Number(
      set
        .rows()
        .find((row) => row.name === name)!
        .listen!.split(":")[1],
    );
  return { set, lines, reload, portOf };
}

describe("TunnelSet", () => {
  it("keeps a tunnel's totals across a restart, so counters never go down", async () => {
    const echo = teardown.add(await startEchoServer());
    const { set, reload, portOf } = await startSet(
      tunnels(['name = "a"', `target_port = ${echo.port}`]),
    );
    await exchange(portOf("a"), payload(1000));
    const outcome = await reload(
      tunnels(['name = "a"', `target_port = ${echo.port}`, "idle_timeout = 60"]),
    );
    expect(outcome.restarted).toEqual([{ name: "a", keys: ["idle_timeout"] }]);
    await exchange(portOf("a"), payload(500));
    const [row] = set.rows();
    expect(row).toMatchObject({ name: "a", state: "up", bytes: { in: 1500, out: 1500 } });
    expect(row!.connections.total.done).toBe(2);
  });

  it("restarts the previous settings when new ones cannot start", async () => {
    const echo = teardown.add(await startEchoServer());
    const taken = teardown.add(await startServer((socket) => socket.destroy()));
    const { set, lines, reload, portOf } = await startSet(
      tunnels(['name = "a"', `target_port = ${echo.port}`]),
    );
    const outcome = await reload(
      tunnels(['name = "a"', `bind_port = ${taken.port}`, `target_port = ${echo.port}`]),
    );
    expect(outcome.failed).toEqual(["a"]);
    expect(lines.join("")).toMatch(
      /error test-forward\[a\]: t\.toml:3:13: new settings not started: cannot listen on 127\.0\.0\.1:\d+: the port is already in use; .*; kept the previous ones/,
    );
    expect(set.config.tunnels[0]!.values.bind_port).toBe(0);
    const data = payload(100);
    expect(await exchange(portOf("a"), data)).toEqual(data);
  });

  it("refuses a whole reload when one tunnel's values cannot be used, changing nothing", async () => {
    const echo = teardown.add(await startEchoServer());
    const { set, reload } = await startSet(
      tunnels(
        ['name = "a"', `target_port = ${echo.port}`],
        ['name = "b"', `target_port = ${echo.port}`],
      ),
    );
    await expect(
      reload(
        tunnels(['name = "a"', `target_port = ${echo.port}`], ['name = "c"', "target_port = 9"]),
      ),
    ).rejects.toThrow(/t\.toml:7:15: `target_port` 9 is refused by this test/);
    expect(set.rows().map((row) => [row.name, row.state])).toEqual([
      ["a", "up"],
      ["b", "up"],
    ]);
  });
});
