import { type FwdError, isFwdError } from "@fwd/core";
import yargs from "yargs";
import { convertFlag, type FlagSpecs, type FlagValues } from "./flags.js";
import { suggestName } from "./suggest.js";
import { inFlagWords, usageError } from "./usage-error.js";

/** A command line: its program name, what it does, and its flags. */
export interface CliSpec<F extends FlagSpecs = FlagSpecs> {
  /** The bin name, used in help and at the start of every log line. */
  name: string;
  version: string;
  /** One or two sentences shown at the top of --help. */
  summary: string;
  flags: F;
  /**
   * Set for programs that run several tunnels from one config file (each
   * [[tunnel]] table one tunnel); servers leave it out and take top-level
   * keys only.
   */
  tunnels?: TunnelClaim;
  examples?: ReadonlyArray<readonly [command: string, meaning: string]>;
  /** Shown at the end of --help. */
  epilog?: string;
}

/**
 * What a tunnel takes for itself, which no two tunnels may share: a listening
 * address (host and port flags) or a public port (port flag alone). The port
 * also names a tunnel that has no `name`.
 */
export interface TunnelClaim {
  /** Tunnel-scoped flag names (checked by the config tests of each program). */
  host?: string;
  port: string;
  /** For messages: "listening address", "public port". */
  what: string;
}

export type ParseResult<F extends FlagSpecs> =
  | {
      kind: "run";
      values: FlagValues<F>;
      /** The flags given on the command line (or by their environment variable). */
      explicit: ReadonlySet<keyof F & string>;
      /** --config FILE, when the caller accepts it (ParseOptions.config). */
      configPath?: string;
    }
  /** --help or --version: print `output` to stdout and exit 0. */
  | { kind: "exit"; output: string };

export interface ParseOptions {
  /** Accept --config FILE; the caller loads the file (see readInvocation). */
  config?: boolean;
}

/**
 * Parses argv against a spec without printing or exiting. Bad usage throws
 * an FwdError with code ERR_FWD_INVALID_ARG and a message naming the flag.
 */
export async function parseCommandLine<F extends FlagSpecs>(
  spec: CliSpec<F>,
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  options: ParseOptions = {},
): Promise<ParseResult<F>> {
  const parser = yargs()
    .scriptName(spec.name)
    .usage(`Usage: ${spec.name} [flags]\n\n${spec.summary}`)
    .parserConfiguration({
      "camel-case-expansion": false,
      // The legacy scripts (argparse) let the last of a repeated flag win.
      "duplicate-arguments-array": false,
      "parse-numbers": false,
      "parse-positional-numbers": false,
    })
    .strict()
    .help("help")
    .alias("help", "h")
    .version("version", "Show the version number", spec.version)
    .alias("version", "v")
    .wrap(100);
  if (options.config) {
    parser.option("config", {
      requiresArg: true,
      describe: "Read the settings from this TOML or JSON file; flags given here override it",
    });
  }
  for (const [name, flag] of Object.entries(spec.flags)) {
    const extras = [
      flag.env ? `[env: ${flag.env}]` : "",
      flag.choices && flag.kind === "choice" ? `[choices: ${flag.choices.join(", ")}]` : "",
    ].filter(Boolean);
    // Values stay strings (no yargs type): convertFlag() checks them strictly.
    parser.option(name, {
      ...(flag.kind === "boolean" ? { type: "boolean" as const } : { requiresArg: true }),
      describe: [flag.describe, ...extras].join(" "),
      ...(flag.default === undefined ? {} : { default: flag.default }),
    });
  }
  for (const [command, meaning] of spec.examples ?? []) parser.example(command, meaning);
  if (spec.epilog) parser.epilog(spec.epilog);

  const {
    argv: parsed,
    output,
    error,
  } = await new Promise<{
    argv: Record<string, unknown>;
    output: string;
    error: Error | undefined;
  }>((resolve) => {
    parser.parse([...argv], {}, (err: Error | undefined, args: unknown, out: string) => {
      resolve({ argv: args as Record<string, unknown>, output: out, error: err ?? undefined });
    });
  });
  if (error) throw toUsageError(error, argv, spec, options);
  if (parsed.help || parsed.version) return { kind: "exit", output };

  const values: Record<string, unknown> = {};
  const explicit = new Set<keyof F & string>();
  for (const [name, flag] of Object.entries(spec.flags)) {
    const given = argv.some(
      (arg) =>
        arg === `--${name}` ||
        arg.startsWith(`--${name}=`) ||
        (flag.kind === "boolean" && arg === `--no-${name}`),
    );
    const fromEnv = !given && flag.env !== undefined && env[flag.env] !== undefined;
    const raw = fromEnv ? env[flag.env as string] : parsed[name];
    values[name] = convertFlag(name, flag, raw, spec.flags);
    if (given || fromEnv) explicit.add(name);
  }
  const result: ParseResult<F> = { kind: "run", values: values as FlagValues<F>, explicit };
  if (options.config) {
    const path = parsed.config;
    if (path !== undefined) {
      if (String(path).trim() === "") throw usageError("--config needs a file name");
      result.configPath = String(path);
    }
  }
  return result;
}

/** Rewords yargs' failures as one line that names the flag and points at --help. */
function toUsageError(
  err: Error,
  argv: readonly string[],
  spec: CliSpec,
  options: ParseOptions,
): FwdError {
  if (isFwdError(err)) return err;
  const unknown = /^Unknown arguments?: (.*)$/.exec(err.message);
  if (unknown?.[1]) {
    const names = [...new Set(unknown[1].split(", "))];
    const flags = names.filter((name) => isFlagIn(argv, name));
    const others = names.filter((name) => !isFlagIn(argv, name));
    const known = [...Object.keys(spec.flags), ...(options.config ? ["config"] : [])];
    const [first] = flags;
    const meant = flags.length === 1 && first !== undefined ? suggestName(first, known) : undefined;
    const parts = [
      flags.length > 0
        ? `unknown flag ${flags.map((name) => asWritten(argv, name)).join(", ")}`
        : "",
      others.length > 0 ? `unexpected argument ${others.join(", ")}` : "",
    ].filter(Boolean);
    const advice = meant ? `did you mean --${meant}?` : "see --help for the flags";
    return usageError(`${parts.join("; ")}; ${advice}`);
  }
  const missing = /^Not enough arguments following: (.*)$/.exec(err.message);
  if (missing?.[1]) return usageError(`--${missing[1]} needs a value; see --help`);
  return usageError(`${err.message}; see --help for the flags`);
}

/** A flag as the user typed it: -x stays -x, --x stays --x. */
function asWritten(argv: readonly string[], name: string): string {
  const short = argv.some((arg) => arg === `-${name}` || arg.startsWith(`-${name}=`));
  const long = argv.some((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
  return short && !long ? `-${name}` : `--${name}`;
}

function isFlagIn(argv: readonly string[], name: string): boolean {
  return argv.some(
    (arg) => arg === `--${name}` || arg.startsWith(`--${name}=`) || arg === `-${name}`,
  );
}

/**
 * Parses argv and builds from its values (options, a service) what the
 * program runs, with every error in the program's flag words: what runCli
 * does before it starts anything, and what tests check flag by flag.
 */
export async function buildFromArgv<F extends FlagSpecs, T>(
  spec: CliSpec<F>,
  argv: readonly string[],
  build: (values: FlagValues<F>) => T,
  env: NodeJS.ProcessEnv = {},
): Promise<T> {
  try {
    const parsed = await parseCommandLine(spec, argv, env);
    if (parsed.kind === "exit") throw usageError("--help and --version build nothing");
    return build(parsed.values);
  } catch (err) {
    throw inFlagWords(err, spec.flags);
  }
}
