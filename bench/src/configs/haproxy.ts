/**
 * haproxy in TCP mode, one frontend per target, from a configuration written
 * to a temporary directory. One thread, like every Node forwarder here.
 * maxconn leaves room under this machine's 20,000-fd limit for the 9,000
 * idle connections (two fds each).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startProcess } from "@fwd/testkit";
import { rssKb } from "../measure/proc-memory.ts";
import { LOOPBACK, stopAll, waitForPort } from "./launch.ts";
import { hasCommand, missingProgram } from "./tools.ts";
import type { Config } from "./types.ts";

function configText(routes: ReadonlyArray<{ port: number; target: number }>): string {
  const lines = [
    "global",
    "  nbthread 1",
    "  maxconn 9500",
    "defaults",
    "  mode tcp",
    "  timeout connect 5s",
    "  timeout client 1h",
    "  timeout server 1h",
  ];
  routes.forEach(({ port, target }, i) => {
    lines.push(
      `frontend in${i}`,
      `  bind ${LOOPBACK}:${port}`,
      `  default_backend out${i}`,
      `backend out${i}`,
      `  server target ${LOOPBACK}:${target}`,
    );
  });
  return `${lines.join("\n")}\n`;
}

export const haproxy: Config = {
  key: "haproxy",
  label: "haproxy",
  hops: 1,
  missing: () => (hasCommand("haproxy", ["-v"]) ? undefined : missingProgram("haproxy", "haproxy")),
  async start(targets) {
    const routes = [];
    for (const target of targets) routes.push({ port: await freePort(), target });
    const dir = mkdtempSync(join(tmpdir(), "fwd-bench-haproxy-"));
    const file = join(dir, "haproxy.cfg");
    writeFileSync(file, configText(routes));
    const running = startProcess("haproxy", ["-db", "-f", file]);
    const stop = async () => {
      await stopAll([running], "SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    };
    try {
      for (const { port } of routes) await waitForPort(port, running);
    } catch (err) {
      await stop();
      throw err;
    }
    return {
      entries: routes.map((route) => route.port),
      memoryKb: () => rssKb(running.child.pid!),
      pids: () => [running.child.pid!],
      stop,
    };
  },
};
