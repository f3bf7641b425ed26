import { ErrorCodes, FwdError, isFwdError } from "@fwd/core";
import type { FlagSpecs } from "./flags.js";

/** Bad usage of the command line: exit status 2. */
export function usageError(message: string): FwdError {
  return new FwdError(ErrorCodes.INVALID_ARG, message);
}

/**
 * Rewords a library error for the command line: @fwd/core names options in
 * backquotes (`tls.fingerprint`); each becomes the flag that feeds it
 * (--tls_fingerprint). Options no flag feeds keep their name.
 */
export function inFlagWords(error: unknown, flags: FlagSpecs): unknown {
  if (!isFwdError(error) || !error.message.includes("`")) return error;
  const flagOf = new Map<string, string>();
  for (const [name, spec] of Object.entries(flags)) if (spec.option) flagOf.set(spec.option, name);
  const message = error.message.replace(/`([\w.]+)`/g, (whole, option: string) => {
    const flag = flagOf.get(option);
    return flag ? `--${flag}` : whole;
  });
  if (message === error.message) return error;
  return new FwdError(error.code, message, {
    cause: error,
    errno: error.errno,
    option: error.option,
    value: error.value,
  });
}
