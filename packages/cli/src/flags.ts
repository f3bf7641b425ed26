import { usageError } from "./usage-error.js";

/**
 * The kinds of value a flag takes. Values arrive as strings and are checked
 * here, strictly: yargs' own number parsing turns "abc" into NaN silently.
 */
export type FlagKind =
  /** A host name or IP literal. */
  | "host"
  /** A port to connect to, 1–65535. */
  | "port"
  /** A port to listen on, 0–65535 (0: any free port). */
  | "listen-port"
  /** A positive number of seconds, fractions allowed. */
  | "seconds"
  /** A number of seconds, or 0 to turn the feature off. */
  | "seconds-or-off"
  /** A whole number from 1 up. */
  | "count"
  /** Free text. */
  | "string"
  /** A file name; in a config file, relative to the config file's directory. */
  | "file"
  /** One of `choices`. */
  | "choice"
  /** A switch: present or absent. */
  | "boolean";

/**
 * Where a key may stand in a config file. "program": one value for the whole
 * process (server address, token, TLS, logging), top level only. "tunnel":
 * may differ per [[tunnel]] table (listen and target addresses, timeouts).
 */
export type FlagScope = "program" | "tunnel";

export interface FlagSpec {
  kind: FlagKind;
  describe: string;
  default?: string | number | boolean;
  choices?: readonly string[];
  /** Read from this environment variable when the flag is absent. */
  env?: string;
  /**
   * The @fwd/core option this flag feeds, as errors name it ("target.host"):
   * the CLI rewords such errors with the flag.
   */
  option?: string;
  /**
   * "program" when absent: a key forgotten here can only be set once for the
   * whole program, which is the safe mistake (wrap per-tunnel flags in perTunnel()).
   */
  scope?: FlagScope;
}

export type FlagSpecs = Record<string, FlagSpec>;

/** What a parsed flag holds, from its kind. */
export type FlagValue<S extends FlagSpec> = S["kind"] extends
  | "port"
  | "listen-port"
  | "seconds"
  | "seconds-or-off"
  | "count"
  ? number
  : S["kind"] extends "boolean"
    ? boolean
    : string;

export type FlagValues<F extends FlagSpecs> = {
  [K in keyof F]: F[K] extends { default: unknown }
    ? FlagValue<F[K]>
    : F[K]["kind"] extends "boolean"
      ? boolean
      : FlagValue<F[K]> | undefined;
};

/** Marks flags as settable per [[tunnel]] in a config file. */
export function perTunnel<F extends FlagSpecs>(
  flags: F,
): { [K in keyof F]: F[K] & { scope: "tunnel" } } {
  const marked: Record<string, FlagSpec> = {};
  for (const [name, flag] of Object.entries(flags)) marked[name] = { ...flag, scope: "tunnel" };
  return marked as { [K in keyof F]: F[K] & { scope: "tunnel" } };
}

/**
 * The outcome of checking one value. A problem reads after the flag or key
 * name ("must be a port number …"), so the command line and a config file
 * share the wording.
 */
export type FlagCheck = { ok: true; value: unknown } | { ok: false; problem: string };

/** "192.168.1.200:3389" or "[fd00::5]:22": a host with a port glued on. */
const HOST_WITH_PORT = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/;

export interface CheckContext {
  /** The program's flags, so the host:port hint can name the port flag. */
  flags?: FlagSpecs;
  /** How names are written: "--" on the command line (the default), "" in a file. */
  prefix?: string;
  /** The value as the user wrote it, for "got …" (default: the text, quoted). */
  written?: string;
}

/** Checks and converts one value given as text, by the flag's kind. */
export function checkFlagText(
  name: string,
  spec: FlagSpec,
  text: string,
  { flags = {}, prefix = "--", written = JSON.stringify(text) }: CheckContext = {},
): FlagCheck {
  const fail = (problem: string): FlagCheck => ({ ok: false, problem });
  const got = written;
  switch (spec.kind) {
    case "boolean":
      if (text === "true" || text === "false") return { ok: true, value: text === "true" };
      return fail(`must be true or false, got ${got}`);
    case "host": {
      const withPort = HOST_WITH_PORT.exec(text);
      if (withPort) {
        const portFlag = name.replace(/host$/, "port");
        const where = portFlag !== name && portFlag in flags ? `${prefix}${portFlag}` : "a port";
        return fail(`takes a host only, got ${got}; put ${withPort[3]} in ${where}`);
      }
      if (text === "" || /[\s/]/.test(text)) {
        return fail(`must be a host name or IP address, got ${got}`);
      }
      return { ok: true, value: text.replace(/^\[(.*)\]$/, "$1") };
    }
    case "port":
    case "listen-port": {
      const min = spec.kind === "port" ? 1 : 0;
      const value = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
      if (!(value >= min && value <= 65535)) {
        return fail(`must be a port number from ${min} to 65535, got ${got}`);
      }
      return { ok: true, value };
    }
    case "seconds":
    case "seconds-or-off": {
      const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
      if (spec.kind === "seconds-or-off" && value === 0) return { ok: true, value };
      const off = spec.kind === "seconds-or-off" ? " (0: off)" : "";
      if (!(value > 0)) return fail(`must be a positive number of seconds${off}, got ${got}`);
      return { ok: true, value };
    }
    case "count": {
      const value = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
      if (!(value >= 1)) return fail(`must be a whole number from 1 up, got ${got}`);
      return { ok: true, value };
    }
    case "choice":
      if (!spec.choices?.includes(text)) {
        return fail(`must be one of ${spec.choices?.join(", ")}, got ${got}`);
      }
      return { ok: true, value: text };
    case "string":
      return { ok: true, value: text };
    case "file":
      if (text.trim() === "") return fail(`must be a file name, got ${got}`);
      return { ok: true, value: text };
  }
}

/** Checks and converts one raw value; throws an INVALID_ARG error naming the flag. */
export function convertFlag(
  name: string,
  spec: FlagSpec,
  raw: unknown,
  flags: FlagSpecs = {},
): unknown {
  const flag = `--${name}`;
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) throw usageError(`${flag} was given more than once; give it once`);
  if (spec.kind === "boolean") {
    if (typeof raw === "boolean") return raw;
    throw usageError(`${flag} is a switch and takes no value`);
  }
  // Free text and file names keep their spaces; everything else is read trimmed.
  const text = spec.kind === "string" || spec.kind === "file" ? String(raw) : String(raw).trim();
  const checked = checkFlagText(name, spec, text, { flags });
  if (!checked.ok) throw usageError(`${flag} ${checked.problem}`);
  return checked.value;
}
