/**
 * A command line with or without --config, read into one ResolvedConfig:
 * what runCli calls instead of parseCommandLine once it runs tunnels.
 */
import type { FlagSpecs } from "../flags.js";
import { type CliSpec, parseCommandLine } from "../parse.js";
import { loadConfig } from "./load.js";
import { type CommandLine, type ResolvedConfig, resolveConfig } from "./resolve.js";

export type Invocation<F extends FlagSpecs> =
  /** --help or --version: print `output` to stdout and exit 0. */
  | { kind: "exit"; output: string }
  | {
      kind: "run";
      config: ResolvedConfig<F>;
      /** Kept for a reload: loadConfig(configPath, spec, commandLine). */
      commandLine: CommandLine<F>;
      configPath: string | undefined;
    };

/**
 * Parses argv (accepting --config FILE) and, with a file, loads it under the
 * command line. Without --config the flags make a one-tunnel configuration,
 * exactly as before config files existed. Throws INVALID_ARG FwdErrors
 * (a ConfigError listing every problem of a file).
 */
export async function readInvocation<F extends FlagSpecs>(
  spec: CliSpec<F>,
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<Invocation<F>> {
  const parsed = await parseCommandLine(spec, argv, env, { config: true });
  if (parsed.kind === "exit") return parsed;
  const commandLine: CommandLine<F> = { values: parsed.values, explicit: parsed.explicit };
  const config =
    parsed.configPath === undefined
      ? fromCommandLine(spec, commandLine)
      : await loadConfig(parsed.configPath, spec, commandLine);
  return { kind: "run", config, commandLine, configPath: parsed.configPath };
}

/** The one-tunnel configuration of a command line alone. */
export function fromCommandLine<F extends FlagSpecs>(
  spec: CliSpec<F>,
  commandLine: CommandLine<F>,
): ResolvedConfig<F> {
  return resolveConfig(spec, undefined, commandLine).config;
}
