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
  /** A whole number from 1 up. */
  | "count"
  /** Free text. */
  | "string"
  /** One of `choices`. */
  | "choice"
  /** A switch: present or absent. */
  | "boolean";

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
}

export type FlagSpecs = Record<string, FlagSpec>;

/** What a parsed flag holds, from its kind. */
export type FlagValue<S extends FlagSpec> = S["kind"] extends
  | "port"
  | "listen-port"
  | "seconds"
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

/** Checks and converts one raw value; throws an INVALID_ARG error naming the flag. */
export function convertFlag(name: string, spec: FlagSpec, raw: unknown): unknown {
  const flag = `--${name}`;
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) throw usageError(`${flag} was given more than once; give it once`);
  if (spec.kind === "boolean") {
    if (typeof raw === "boolean") return raw;
    throw usageError(`${flag} is a switch and takes no value`);
  }
  const text = String(raw).trim();
  switch (spec.kind) {
    case "host":
      if (text === "" || /[\s/]/.test(text)) {
        throw usageError(`${flag} must be a host name or IP address, got ${JSON.stringify(text)}`);
      }
      return text.replace(/^\[(.*)\]$/, "$1");
    case "port":
    case "listen-port": {
      const min = spec.kind === "port" ? 1 : 0;
      const value = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
      if (!(value >= min && value <= 65535)) {
        throw usageError(
          `${flag} must be a port number from ${min} to 65535, got ${JSON.stringify(text)}`,
        );
      }
      return value;
    }
    case "seconds": {
      const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
      if (!(value > 0)) {
        throw usageError(
          `${flag} must be a positive number of seconds, got ${JSON.stringify(text)}`,
        );
      }
      return value;
    }
    case "count": {
      const value = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
      if (!(value >= 1)) {
        throw usageError(`${flag} must be a whole number from 1 up, got ${JSON.stringify(text)}`);
      }
      return value;
    }
    case "choice":
      if (!spec.choices?.includes(text)) {
        throw usageError(
          `${flag} must be one of ${spec.choices?.join(", ")}, got ${JSON.stringify(text)}`,
        );
      }
      return text;
    case "string":
      return String(raw);
  }
}
