import createDebug from "debug";
import { type Invocation, readInvocation } from "./config/invocation.js";
import { type DebugOutput, routeDebugOutput } from "./debug-output.js";
import type { FlagSpecs } from "./flags.js";
import { createLogger, type Logger, type LogSettings, type ProgramLogger } from "./logger.js";
import type { CliSpec } from "./parse.js";
import { drainTimeoutSeconds } from "./presets.js";
import { reportError } from "./report.js";
import { type SignalSource, watchSignals } from "./signals.js";

const debug = createDebug("fwd:cli:run");

/** What a started program hands back to the runner. */
export interface Running {
  /**
   * Stops accepting; resolves once the open connections have ended.
   * `onDraining` is called once nothing new can arrive.
   */
  close(onDraining?: () => void): Promise<void>;
  /** Ends every connection now; resolves once all are closed. */
  destroy(): Promise<void>;
  /** Rejects when the program meets an error it cannot go on from. */
  done?: Promise<void>;
  /** One line on the connections still open, or undefined when none are. */
  openSummary?(): string | undefined;
  /** Reloads the configuration (SIGHUP). Without it, SIGHUP is logged and ignored. */
  reload?(): Promise<void>;
  /** The drain timeout now (a reload may change it); the start-up value without it. */
  drainTimeoutMs?(): number;
}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Where signals come from (the process). */
  signals: SignalSource;
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  signals: process,
};

/** A command line read to run: its configuration (a file's, or the flags' one tunnel). */
export type RunInvocation<F extends FlagSpecs> = Extract<Invocation<F>, { kind: "run" }>;

/** The log settings of a program's values (flags or config file). */
export function logSettingsOf(values: object): LogSettings {
  const { log_level, log_format } = values as { log_level?: unknown; log_format?: unknown };
  return {
    level:
      log_level === "error" || log_level === "warn" || log_level === "debug" ? log_level : "info",
    format: log_format === "json" ? "json" : "text",
  };
}

/**
 * Runs a command line program: reads flags (and --config FILE), starts it,
 * serves until a stop signal or a fatal error, then drains: it stops
 * accepting and lets open connections finish for up to --drain_timeout
 * seconds; a second stop signal ends them at once. SIGHUP never stops it
 * (it reloads the config file). Resolves with the exit status: 0 after a
 * stop signal, 2 for bad usage, 1 for a runtime failure. Never exits.
 */
export async function runCli<F extends FlagSpecs>(
  spec: CliSpec<F>,
  argv: readonly string[],
  start: (invocation: RunInvocation<F>, log: ProgramLogger) => Promise<Running>,
  io: CliIo = processIo,
): Promise<number> {
  let debugOutput: DebugOutput | undefined;
  const log = createLogger(spec.name, {
    write: io.stderr,
    onConfigure: (settings) => debugOutput?.setLevel(settings.level),
  });
  debugOutput = routeDebugOutput(log);
  // Listening from the start: a signal during start-up is acted on, never fatal.
  let running: Running | undefined;
  const signals = watchSignals(io.signals, {
    onReload: () => {
      if (!running) {
        log.info("SIGHUP during start-up: not reloaded; send it again once started");
        return;
      }
      if (!running.reload) {
        log.info("SIGHUP: there is no configuration file to reload; still running");
        return;
      }
      running.reload().catch((err: unknown) => reportError(err, log, spec.flags));
    },
  });
  try {
    const firstStop = signals.nextStop();
    try {
      const invocation = await readInvocation(spec, argv, io.env);
      if (invocation.kind === "exit") {
        io.stdout(`${invocation.output}\n`);
        return 0;
      }
      log.configure(logSettingsOf(invocation.config.program));
      const drainMs = drainTimeoutSeconds(invocation.config.program) * 1000;
      const started = await start(invocation, log);
      started.drainTimeoutMs ??= () => drainMs;
      running = started;
    } catch (err) {
      return reportError(err, log, spec.flags);
    }
    const live = running;
    const first = await Promise.race([
      firstStop.then((signal) => ({ signal })),
      (live.done ?? new Promise<never>(() => {})).then(
        () => ({ error: undefined }),
        (error: unknown) => ({ error }),
      ),
    ]);
    if ("error" in first) {
      // The program stopped itself: it has torn down already.
      const status = first.error === undefined ? 0 : reportError(first.error, log, spec.flags);
      await live.destroy();
      return status;
    }
    await drain(live, log, first.signal, live.drainTimeoutMs!(), signals.nextStop());
    log.info("stopped");
    return 0;
  } finally {
    signals.stop();
    debugOutput.restore();
  }
}

/** Stops accepting and waits for open connections, up to `drainMs` or the next stop signal. */
async function drain(
  running: Running,
  log: Logger,
  signal: string,
  drainMs: number,
  secondSignal: Promise<string>,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), drainMs);
  });
  // The line is written once new connections are refused: logs say only what is so.
  const closed = running.close(() => {
    const open = running.openSummary?.();
    log.info(
      open
        ? `stopping (${signal}): no new connections; waiting up to ${drainMs / 1000} s for ${open}; stop again to close them now`
        : `stopping (${signal})`,
    );
  });
  const outcome = await Promise.race([
    closed.then(() => "drained" as const),
    timeout,
    secondSignal.then(() => "signal" as const),
  ]);
  clearTimeout(timer);
  if (outcome === "drained") return;
  const still = running.openSummary?.() ?? "the open connections";
  log.warn(
    outcome === "timeout"
      ? `drain timeout (${drainMs / 1000} s): closing ${still}`
      : `second stop signal: closing ${still} now`,
  );
  debug("destroying after %s", outcome);
  await running.destroy();
}
