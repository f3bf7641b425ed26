import { type FwdError, isFwdError } from "@fwd/core";
import yargs from "yargs";
import { convertFlag, type FlagSpecs, type FlagValues } from "./flags.js";
import { inFlagWords, usageError } from "./usage-error.js";

/** A command line: its program name, what it does, and its flags. */
export interface CliSpec<F extends FlagSpecs = FlagSpecs> {
  /** The bin name, used in help and at the start of every log line. */
  name: string;
  version: string;
  /** One or two sentences shown at the top of --help. */
  summary: string;
  flags: F;
  examples?: ReadonlyArray<readonly [command: string, meaning: string]>;
  /** Shown at the end of --help. */
  epilog?: string;
}

export type ParseResult<F extends FlagSpecs> =
  | { kind: "run"; values: FlagValues<F> }
  /** --help or --version: print `output` to stdout and exit 0. */
  | { kind: "exit"; output: string };

/**
 * Parses argv against a spec without printing or exiting. Bad usage throws
 * an FwdError with code ERR_FWD_INVALID_ARG and a message naming the flag.
 */
export async function parseCommandLine<F extends FlagSpecs>(
  spec: CliSpec<F>,
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
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
    .wrap(100);
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
  if (error) throw toUsageError(error, argv);
  if (parsed.help || parsed.version) return { kind: "exit", output };

  const values: Record<string, unknown> = {};
  for (const [name, flag] of Object.entries(spec.flags)) {
    const given = argv.some((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
    const raw = !given && flag.env && env[flag.env] !== undefined ? env[flag.env] : parsed[name];
    values[name] = convertFlag(name, flag, raw);
  }
  return { kind: "run", values: values as FlagValues<F> };
}

/** Rewords yargs' failures as one line that names the flag and points at --help. */
function toUsageError(err: Error, argv: readonly string[]): FwdError {
  if (isFwdError(err)) return err;
  const unknown = /^Unknown arguments?: (.*)$/.exec(err.message);
  if (unknown?.[1]) {
    const names = unknown[1].split(", ");
    const flags = names.filter((name) => isFlagIn(argv, name)).map((name) => `--${name}`);
    const others = names.filter((name) => !isFlagIn(argv, name));
    const parts = [
      flags.length > 0 ? `unknown flag ${flags.join(", ")}` : "",
      others.length > 0 ? `unexpected argument ${others.join(", ")}` : "",
    ].filter(Boolean);
    return usageError(`${parts.join("; ")}; see --help for the flags`);
  }
  const missing = /^Not enough arguments following: (.*)$/.exec(err.message);
  if (missing?.[1]) return usageError(`--${missing[1]} needs a value; see --help`);
  return usageError(`${err.message}; see --help for the flags`);
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
