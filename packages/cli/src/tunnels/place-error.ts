import { FwdError, isFwdError } from "@fwd/core";
import type { Origins } from "../config/resolve.js";
import type { FlagSpecs } from "../flags.js";

/** Where the values of what failed came from (a tunnel's, or the program's). */
export interface ValueSource {
  origins: Origins<FlagSpecs>;
  /** "FILE:LINE:COL" of the [[tunnel]] table, if the value came from one. */
  at?: string | undefined;
  /** The flag a listen failure is about (the port the tunnel or server claims). */
  listenFlag?: string | undefined;
}

const isFilePosition = (origin: string | undefined): origin is string =>
  origin !== undefined && origin !== "command line";

/**
 * An error met while starting something from a config file, in the words of
 * where its values came from: "home.toml:3:14: `token_file` cannot be read …"
 * for a value the file set (editors turn the position into a link),
 * "--token_file cannot be read …" for one the command line set. @fwd/core
 * names options in backquotes and in `option`; each is mapped through the
 * flag whose spec has that `option`.
 */
export function placeError(err: unknown, flags: FlagSpecs, source: ValueSource): unknown {
  if (!isFwdError(err)) return err;
  const flagOf = new Map<string, string>();
  for (const [name, spec] of Object.entries(flags)) if (spec.option) flagOf.set(spec.option, name);
  const keyWords = (flag: string) =>
    isFilePosition(source.origins[flag]) ? `\`${flag}\`` : `--${flag}`;
  const message = err.message.replace(/`([\w.]+)`/g, (whole, option: string) => {
    const flag = flagOf.get(option);
    return flag ? keyWords(flag) : whole;
  });
  const listenFailure = /^cannot listen on /.test(err.message) ? source.listenFlag : undefined;
  // `option` names the value at fault; without it, the first option the message names.
  const option = err.option ?? /`([\w.]+)`/.exec(err.message)?.[1];
  const flag = (option === undefined ? undefined : flagOf.get(option)) ?? listenFailure;
  const origin = flag === undefined ? undefined : source.origins[flag];
  const where = isFilePosition(origin) ? origin : source.at;
  const placed = where === undefined ? message : `${where}: ${message}`;
  if (placed === err.message) return err;
  return new FwdError(err.code, placed, {
    cause: err,
    errno: err.errno,
    option: err.option,
    value: err.value,
  });
}

/** "FILE:LINE:COL: what: why": a position stays first, where editors look for it. */
export function saying(what: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const placed = /^(\S+:\d+:\d+): (.*)$/s.exec(message);
  return placed ? `${placed[1]}: ${what}: ${placed[2]}` : `${what}: ${message}`;
}

/** The fields a log line takes from an error: its code, if it has one. */
export function codeOf(err: unknown): { code?: string } {
  return isFwdError(err) ? { code: err.code } : {};
}

/** An error of one tunnel among several, saying which. */
export function inTunnel(error: unknown, name: string): unknown {
  if (!isFwdError(error)) return error;
  const { code, errno, option, value } = error;
  return new FwdError(code, `tunnel ${name}: ${error.message}`, {
    cause: error,
    errno,
    option,
    value,
  });
}
