import { format } from "node:util";
import createDebug from "debug";
import type { LogLevel, ProgramLogger } from "./logger.js";

export interface DebugOutput {
  /** --log_level debug turns every fwd:* namespace on, on top of what DEBUG asked for. */
  setLevel(level: LogLevel): void;
  /** Puts the debug package back as it was. */
  restore(): void;
}

/**
 * Writes the `debug` package's lines (DEBUG=fwd:*) through the program's
 * log, so they carry its time, level and program like every other line,
 * or become JSON with --log_format json. The namespace starts the message.
 */
export function routeDebugOutput(log: ProgramLogger): DebugOutput {
  // enable() writes its namespaces to process.env.DEBUG: remember what the user gave.
  const asked = process.env.DEBUG;
  const previous = { log: createDebug.log, formatArgs: createDebug.formatArgs };
  let widened = false;
  createDebug.formatArgs = function formatArgs(this: createDebug.Debugger, args: unknown[]) {
    args[0] = `${this.namespace} ${String(args[0])}`;
  };
  createDebug.log = (...args: unknown[]) => log.debugOutput(format(...args));
  const enable = (namespaces: string | undefined) => createDebug.enable(namespaces ?? "");
  return {
    setLevel(level) {
      const widen = level === "debug";
      if (widen === widened) return;
      widened = widen;
      enable(widen ? [asked, "fwd:*"].filter(Boolean).join(",") : asked);
    },
    restore() {
      if (widened) enable(asked);
      createDebug.log = previous.log;
      createDebug.formatArgs = previous.formatArgs;
    },
  };
}
