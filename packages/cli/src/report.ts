import { isFwdError } from "@fwd/core";
import createDebug from "debug";
import type { FlagSpecs } from "./flags.js";
import type { Logger } from "./logger.js";
import { inFlagWords } from "./usage-error.js";

const debug = createDebug("fwd:cli:run");

/** Prints an error as one line, in the program's flag words, and picks the exit status. */
export function reportError(err: unknown, log: Logger, flags: FlagSpecs): number {
  const error = inFlagWords(err, flags);
  if (isFwdError(error)) {
    log.error(error.message, { code: error.code });
    return error.exitStatus;
  }
  debug("unexpected failure: %O", error);
  const message = error instanceof Error ? error.message : String(error);
  log.error(`${message} (unexpected; run with DEBUG=fwd:* for details)`);
  return 1;
}
