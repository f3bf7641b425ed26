/**
 * socat, the usual one-line forwarder, one process per target; it forks a
 * process per connection. Default buffer (8 KiB) and -b 262144. The listen
 * backlog is raised from socat's 5 so that 50 connections in flight do not
 * measure SYN retransmits instead of socat.
 */
import { freePort, type RunningProcess, startProcess } from "@fwd/testkit";
import { treePssKb } from "../measure/proc-memory.ts";
import { LOOPBACK, pidsOf, stopTree, waitForPort } from "./launch.ts";
import { hasCommand, missingProgram } from "./tools.ts";
import type { Config } from "./types.ts";

/** socat forks per connection: 1,000 idle connections are 1,000 processes already. */
const IDLE_LIMIT = 1000;

async function startSocat(target: number, bufferArgs: readonly string[]) {
  const port = await freePort();
  const running = startProcess("socat", [
    ...bufferArgs,
    `TCP4-LISTEN:${port},bind=${LOOPBACK},reuseaddr,fork,backlog=1024`,
    `TCP4:${LOOPBACK}:${target}`,
  ]);
  try {
    await waitForPort(port, running);
  } catch (err) {
    await running.stop("SIGKILL");
    throw err;
  }
  return { running, port };
}

function socat(key: string, label: string, bufferArgs: readonly string[]): Config {
  return {
    key,
    label,
    hops: 1,
    idleLimit: IDLE_LIMIT,
    missing: () => (hasCommand("socat", ["-V"]) ? undefined : missingProgram("socat", "socat")),
    async start(targets) {
      const started: RunningProcess[] = [];
      try {
        const entries: number[] = [];
        for (const target of targets) {
          const { running, port } = await startSocat(target, bufferArgs);
          started.push(running);
          entries.push(port);
        }
        return {
          entries,
          memoryKb: () => started.reduce((sum, running) => sum + treePssKb(running.child.pid!), 0),
          pids: () => pidsOf(started),
          stop: async () => {
            await Promise.all(started.map(stopTree));
          },
        };
      } catch (err) {
        await Promise.all(started.map(stopTree));
        throw err;
      }
    },
  };
}

export const socatDefault = socat("socat", "socat", []);
export const socatBig = socat("socat-256k", "socat -b 262144", ["-b", "262144"]);
