/**
 * Runs a fwd program from its description: the flags or a config file give
 * its tunnels; each runs as its own service; SIGHUP and a change of the
 * file reload it; --status_port serves the status page over whatever runs.
 */
import { basename } from "node:path";
import { watchConfigFile } from "../config/watch.js";
import type { FlagSpecs } from "../flags.js";
import type { ProgramLogger } from "../logger.js";
import { drainTimeoutSeconds } from "../presets.js";
import { type CliIo, processIo, type RunInvocation, type Running, runCli } from "../run.js";
import type { RunningTunnel, TunnelProgram } from "./program.js";
import { ConfigReloader } from "./reload.js";
import { StatusPage, tunnelSetProvider } from "./status-page.js";
import { TunnelSet } from "./tunnel-set.js";

/** Runs `program`'s command line; resolves with the exit status (see runCli). */
export function runProgram<F extends FlagSpecs, T extends RunningTunnel>(
  program: TunnelProgram<F, T>,
  argv: readonly string[],
  io: CliIo = processIo,
): Promise<number> {
  return runCli(
    program.spec,
    argv,
    (invocation, log) => startProgram(program, invocation, log, io.env),
    io,
  );
}

/** Starts every tunnel and the status page; what runCli serves until a stop. */
export async function startProgram<F extends FlagSpecs, T extends RunningTunnel>(
  program: TunnelProgram<F, T>,
  invocation: RunInvocation<F>,
  log: ProgramLogger,
  env: NodeJS.ProcessEnv,
): Promise<Running> {
  const { spec } = program;
  const drainTimeoutMs = (): number => drainTimeoutSeconds(set.config.program) * 1000;
  const set: TunnelSet<F, T> = new TunnelSet(program, { log, env, drainMs: drainTimeoutMs });
  const status = new StatusPage(
    tunnelSetProvider(set, { program: spec.name, version: spec.version }),
    log,
    spec.flags,
  );
  const started = (async () => {
    await set.start(invocation.config);
    try {
      await status.apply(invocation.config.program, { origins: invocation.config.origins });
    } catch (err) {
      await set.destroy();
      throw err;
    }
  })();

  // Watching starts before the tunnels do: a save during the start is
  // reloaded once they run, not missed.
  const { configPath } = invocation;
  const reloader =
    configPath === undefined
      ? undefined
      : new ConfigReloader(
          { program, file: configPath, commandLine: invocation.commandLine, set, status, log },
          started,
        );
  const stopWatching =
    configPath === undefined || reloader === undefined
      ? undefined
      : watchConfigFile(configPath, (text) => void reloader.reload(text), {
          onError: (err) =>
            log.warn(
              `cannot watch ${basename(configPath)} for changes (${err.message}); reload it with SIGHUP`,
            ),
        });
  try {
    await started;
  } catch (err) {
    stopWatching?.();
    await reloader?.stop();
    throw err;
  }
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    stopWatching?.();
    await reloader?.stop();
  };
  return {
    done: set.done,
    openSummary: () => set.openSummary(),
    drainTimeoutMs,
    ...(reloader ? { reload: () => reloader.reload() } : {}),
    async close(onDraining) {
      await stop();
      await set.close(onDraining);
      await status.close();
    },
    async destroy() {
      await stop();
      await set.destroy();
      await status.close();
    },
  };
}
