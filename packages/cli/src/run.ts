import createDebug from "debug";
import type { FlagSpecs, FlagValues } from "./flags.js";
import { createLogger, type Logger } from "./logger.js";
import { type CliSpec, parseCommandLine } from "./parse.js";
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
}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Where signals come from (the process). */
  signals: SignalSource;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  signals: process,
};

/**
 * Runs a command line program: parses flags, starts it, serves until a stop
 * signal or a fatal error, then drains: it stops accepting and lets open
 * connections finish for up to --drain_timeout seconds; a second stop signal
 * ends them at once. SIGHUP never stops it. Resolves with the exit status: 0
 * after a stop signal, 2 for bad usage, 1 for a runtime failure. Never exits.
 */
export async function runCli<F extends FlagSpecs>(
  spec: CliSpec<F>,
  argv: readonly string[],
  start: (values: FlagValues<F>, log: Logger) => Promise<Running>,
  io: CliIo = processIo,
): Promise<number> {
  const log = createLogger(spec.name, io.stderr);
  // Listening from the start: a signal during start-up is acted on, never fatal.
  let running: Running | undefined;
  const signals = watchSignals(io.signals, {
    onReload: () => {
      if (!running?.reload) {
        log.info("SIGHUP: there is no configuration file to reload; still running");
        return;
      }
      running.reload().catch((err: unknown) => reportError(err, log, spec.flags));
    },
  });
  try {
    const firstStop = signals.nextStop();
    let drainMs: number;
    try {
      const parsed = await parseCommandLine(spec, argv, io.env);
      if (parsed.kind === "exit") {
        io.stdout(`${parsed.output}\n`);
        return 0;
      }
      drainMs = drainTimeoutSeconds(parsed.values) * 1000;
      running = await start(parsed.values, log);
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
    await drain(live, log, first.signal, drainMs, signals.nextStop());
    log.info("stopped");
    return 0;
  } finally {
    signals.stop();
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
