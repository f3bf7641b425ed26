/**
 * Reloading a config file (SIGHUP, or the file changed): read and check it
 * whole; a file with problems changes nothing and says why, line by line;
 * a good one moves the tunnels to it and says in one line what changed.
 */
import { basename } from "node:path";
import { isFwdError } from "@fwd/core";
import { ConfigError } from "../config/config-error.js";
import { diffConfigs } from "../config/diff.js";
import { parseConfig, readConfigFile } from "../config/load.js";
import type { CommandLine, ResolvedConfig } from "../config/resolve.js";
import type { FlagSpecs } from "../flags.js";
import type { ProgramLogger } from "../logger.js";
import { LIVE_KEYS } from "../presets.js";
import { logSettingsOf } from "../run.js";
import { usageError } from "../usage-error.js";
import type { RunningTunnel, TunnelProgram } from "./program.js";
import type { StatusPage } from "./status-page.js";
import type { ReloadOutcome, TunnelSet } from "./tunnel-set.js";

export interface ReloadContext<F extends FlagSpecs, T extends RunningTunnel> {
  program: TunnelProgram<F, T>;
  file: string;
  commandLine: CommandLine<F>;
  set: TunnelSet<F, T>;
  status: StatusPage;
  log: ProgramLogger;
}

export class ConfigReloader<F extends FlagSpecs, T extends RunningTunnel> {
  #queue: Promise<void>;
  #stopped = false;
  /** The text the last reload read: the watcher seeing it again is no news. */
  #lastText: string | undefined;

  /** Reloads wait for `ready`: the start of the configuration read before. */
  constructor(
    private readonly context: ReloadContext<F, T>,
    ready: Promise<unknown>,
  ) {
    this.#queue = ready.then(
      () => {},
      () => {},
    );
  }

  /** Reloads from `text` (a watcher read it) or from the file; one reload at a time, in order. */
  reload(text?: string): Promise<void> {
    this.#queue = this.#queue.then(() =>
      this.#reloadOnce(text).catch((err: unknown) =>
        this.context.log.error(`reload failed: ${(err as Error).message}`),
      ),
    );
    return this.#queue;
  }

  /** No reload starts any more; resolves once the one in progress is done. */
  stop(): Promise<void> {
    this.#stopped = true;
    return this.#queue;
  }

  async #reloadOnce(text: string | undefined): Promise<void> {
    if (this.#stopped) return;
    const { program, file, commandLine, set, status, log } = this.context;
    const { spec } = program;
    const fromWatcher = text !== undefined;
    let next: ResolvedConfig<F>;
    try {
      const read = text ?? (await readConfigFile(file));
      if (fromWatcher && read === this.#lastText) return;
      this.#lastText = read;
      // An empty file is most likely one being written (truncated, not yet
      // filled): as a config it would mean one tunnel of defaults.
      if (read.trim() === "") throw usageError("the file is empty");
      next = parseConfig(read, file, spec, commandLine);
    } catch (err) {
      this.#refused(err);
      return;
    }
    const diff = diffConfigs(spec, set.config, next, { live: LIVE_KEYS });
    const live = diff.program.filter((key) => LIVE_KEYS.includes(key));
    let outcome: ReloadOutcome;
    try {
      outcome = await set.apply(next, diff);
    } catch (err) {
      this.#refused(err);
      return;
    }
    try {
      await status.apply(next.program, { origins: next.origins });
    } catch (err) {
      log.error(`status page stopped: ${(err as Error).message}`);
    }
    const why = fromWatcher ? "the file changed" : "SIGHUP";
    log.info(`reloaded ${basename(file)} (${why}): ${describeReload(outcome, live)}`);
    // Last: the line above is written as the log was, so a switch to warn or json is seen.
    log.configure(logSettingsOf(next.program));
  }

  /** A file that cannot be used: the running configuration stays, and the log says why. */
  #refused(err: unknown): void {
    const { file, log } = this.context;
    const name = basename(file);
    if (err instanceof ConfigError) {
      const count = err.problems.length;
      log.error(
        `${name} not reloaded (${count} problem${count === 1 ? "" : "s"}); still running the previous configuration`,
        { code: err.code },
      );
      for (const problem of err.problems) log.error(problem, { code: err.code });
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    log.error(
      `${name} not reloaded: ${message}; still running the previous configuration`,
      isFwdError(err) ? { code: err.code } : {},
    );
  }
}

/** "started ssh, stopped web, restarted db (target_port), 2 unchanged". */
export function describeReload(outcome: ReloadOutcome, live: readonly string[]): string {
  const parts = [
    outcome.started.length > 0 ? `started ${outcome.started.join(", ")}` : "",
    outcome.stopped.length > 0 ? `stopped ${outcome.stopped.join(", ")}` : "",
    ...outcome.restarted.map(({ name, keys }) => `restarted ${name} (${keys.join(", ")})`),
    outcome.failed.length > 0 ? `${outcome.failed.join(", ")} failed to start (see above)` : "",
    live.length > 0 ? `applied ${live.join(", ")}` : "",
    outcome.unchanged > 0 ? `${outcome.unchanged} unchanged` : "",
  ].filter(Boolean);
  const changed = parts.length > (outcome.unchanged > 0 ? 1 : 0);
  return changed
    ? parts.join(", ")
    : `nothing changed (${outcome.unchanged} tunnel${outcome.unchanged === 1 ? "" : "s"})`;
}
