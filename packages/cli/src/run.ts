import { isFwdError } from "@fwd/core";
import createDebug from "debug";
import type { FlagSpecs, FlagValues } from "./flags.js";
import { createLogger, type Logger } from "./logger.js";
import { type CliSpec, parseCommandLine } from "./parse.js";

const debug = createDebug("fwd:cli:run");

/** What a started program hands back to the runner. */
export interface Running {
  /** Stops serving and releases everything; resolves when done. */
  close(): Promise<void>;
  /** Rejects if the program hits an error it cannot go on from. */
  failed?: Promise<never>;
}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Where stop signals come from (the process). */
  signals: Pick<NodeJS.Process, "on" | "off">;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  signals: process,
};

/**
 * Signals that stop a program. SIGINT is Ctrl+C everywhere; SIGBREAK is
 * Ctrl+Break on Windows; SIGTERM and SIGHUP are how services and closed
 * terminals stop processes (Windows delivers SIGHUP when the console closes).
 */
const STOP_SIGNALS: NodeJS.Signals[] =
  process.platform === "win32" ? ["SIGINT", "SIGBREAK", "SIGHUP"] : ["SIGINT", "SIGTERM", "SIGHUP"];

/**
 * Runs a command line program: parses flags, starts it, serves until a stop
 * signal or a fatal error, closes it. Resolves with the exit status: 0 after
 * a stop signal, 2 for bad usage, 1 for a runtime failure. Never exits.
 */
export async function runCli<F extends FlagSpecs>(
  spec: CliSpec<F>,
  argv: readonly string[],
  start: (values: FlagValues<F>, log: Logger) => Promise<Running>,
  io: CliIo = processIo,
): Promise<number> {
  const log = createLogger(spec.name, io.stderr);
  let running: Running;
  try {
    const parsed = await parseCommandLine(spec, argv, io.env);
    if (parsed.kind === "exit") {
      io.stdout(`${parsed.output}\n`);
      return 0;
    }
    running = await start(parsed.values, log);
  } catch (err) {
    return report(err, log);
  }

  let undo = (): void => {};
  const stop = await new Promise<{ signal: string } | { error: unknown }>((resolve) => {
    undo = onStopSignal(io, (signal) => resolve({ signal }));
    running.failed?.catch((error: unknown) => resolve({ error }));
  });
  undo();

  let status: number;
  if ("signal" in stop) {
    log.info(`stopping (${stop.signal})`);
    status = 0;
  } else {
    status = report(stop.error, log);
  }
  // A second signal while connections close means: exit now.
  const forced = new Promise<number>((resolve) => {
    undo = onStopSignal(io, () => {
      log.warn("second stop signal: exiting without waiting for connections to close");
      resolve(1);
    });
  });
  const closed = running.close().then(() => {
    if ("signal" in stop) log.info("stopped");
    return status;
  });
  const result = await Promise.race([closed, forced]);
  undo();
  return result;
}

/** Calls `handler` on any stop signal until the returned function is called. */
function onStopSignal(io: CliIo, handler: (signal: NodeJS.Signals) => void): () => void {
  for (const signal of STOP_SIGNALS) io.signals.on(signal, handler);
  return () => {
    for (const signal of STOP_SIGNALS) io.signals.off(signal, handler);
  };
}

/** Prints an error as one line and picks the exit status for it. */
function report(err: unknown, log: Logger): number {
  if (isFwdError(err)) {
    log.error(err.message);
    return err.exitStatus;
  }
  debug("unexpected failure: %O", err);
  const message = err instanceof Error ? err.message : String(err);
  log.error(`${message} (unexpected; run with DEBUG=fwd:* for details)`);
  return 1;
}
