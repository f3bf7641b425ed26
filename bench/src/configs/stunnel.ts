/**
 * A stunnel pair, the usual way to put plain TCP through TLS: a stunnel
 * client (plain in, TLS out) and a stunnel server (TLS in, plain to the
 * target), one service per target in each, with a self-signed certificate
 * made for the run that the client pins (verifyPeer with it as the only CA).
 * Two hops, like fwd's user pair over TLS. stunnel runs a thread per
 * connection in one process; logging is cut to warnings, since a line per
 * connection would cost CPU and fill the bench's output buffer.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  freePort,
  makeCertificate,
  type RunningProcess,
  startProcess,
  type TestCertificate,
} from "@fwd/testkit";
import { treePssKb } from "../measure/proc-memory.ts";
import { LOOPBACK, pidsOf, startFailure, stopTree, waitForPort } from "./launch.ts";
import { firstInstalled, missingProgram } from "./tools.ts";
import type { Config } from "./types.ts";

const binary = () => firstInstalled(["stunnel4", "stunnel"], ["-version"]);

interface Route {
  accept: number;
  connect: number;
}

function configText(side: "client" | "server", routes: Route[], cert: TestCertificate): string {
  const lines = ["foreground = yes", "pid =", "syslog = no", "debug = 4"];
  routes.forEach(({ accept, connect }, i) => {
    lines.push(`[s${i}]`, `accept = ${LOOPBACK}:${accept}`, `connect = ${LOOPBACK}:${connect}`);
    if (side === "client") {
      lines.push("client = yes", "verifyPeer = yes", `CAfile = ${cert.certFile}`);
    } else {
      lines.push(`cert = ${cert.certFile}`, `key = ${cert.keyFile}`);
    }
  });
  return `${lines.join("\n")}\n`;
}

export const stunnelPair: Config = {
  key: "stunnel",
  label: "stunnel pair (TLS)",
  hops: 2,
  // A thread per connection: 1,000 idle connections are 2,000 threads already.
  idleLimit: 1000,
  fullRunOnly: true,
  missing: () => (binary() ? undefined : missingProgram("stunnel4 (or stunnel)", "stunnel4")),
  async start(targets) {
    const command = binary()!;
    const cert = await makeCertificate();
    const dir = mkdtempSync(join(tmpdir(), "fwd-bench-stunnel-"));
    const processes: RunningProcess[] = [];
    const stop = async () => {
      await Promise.all(processes.map(stopTree));
      rmSync(dir, { recursive: true, force: true });
      rmSync(dirname(cert.certFile), { recursive: true, force: true });
    };
    try {
      const serverRoutes: Route[] = [];
      const clientRoutes: Route[] = [];
      for (const target of targets) {
        const tls = await freePort();
        serverRoutes.push({ accept: tls, connect: target });
        clientRoutes.push({ accept: await freePort(), connect: tls });
      }
      for (const [side, routes] of [
        ["server", serverRoutes],
        ["client", clientRoutes],
      ] as const) {
        const file = join(dir, `${side}.conf`);
        writeFileSync(file, configText(side, routes, cert));
        const running = startProcess(command, [file]);
        processes.push(running);
        try {
          // stunnel binds every service before it serves: probing the first
          // (echo) is enough, and one through the last (iperf3) could reach
          // the server after its restart as a half-born control connection.
          await waitForPort(routes[0]!.accept, running);
        } catch (err) {
          throw startFailure(`stunnel ${side}`, err);
        }
      }
      return {
        entries: clientRoutes.map((route) => route.accept),
        memoryKb: () => processes.reduce((sum, p) => sum + treePssKb(p.child.pid!), 0),
        pids: () => pidsOf(processes),
        stop,
      };
    } catch (err) {
      await stop();
      throw err;
    }
  },
};
