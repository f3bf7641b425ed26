/**
 * Reading a config file for a program: read, check every key and value,
 * merge with the command line. All problems of a file come out together as
 * one ConfigError.
 */
import { readFile } from "node:fs/promises";
import type { FlagSpecs } from "../flags.js";
import type { CliSpec } from "../parse.js";
import { usageError } from "../usage-error.js";
import { checkDocument } from "./check-entries.js";
import { ConfigError } from "./config-error.js";
import type { ConfigDocument } from "./document.js";
import { readJson } from "./read-json.js";
import { readToml } from "./read-toml.js";
import {
  type CommandLine,
  type ResolvedConfig,
  resolveConfig,
  tunnelFlagConflict,
} from "./resolve.js";

/** A file ending in .json is JSON; any other is TOML. */
export function readConfigText(text: string, file: string): ConfigDocument {
  return /\.json$/i.test(file) ? readJson(text, file) : readToml(text, file);
}

/**
 * Checks and resolves the text of a config file. Throws a ConfigError with
 * every problem of the file, or an INVALID_ARG FwdError for a command line
 * that does not fit it.
 */
export function parseConfig<F extends FlagSpecs>(
  text: string,
  file: string,
  spec: CliSpec<F>,
  commandLine?: CommandLine<F>,
): ResolvedConfig<F> {
  // A byte order mark (Windows editors) is no part of the text.
  const checked = checkDocument(readConfigText(text.replace(/^\uFEFF/, ""), file), spec);
  const conflict = tunnelFlagConflict(spec, checked, commandLine);
  if (conflict && checked.problems.length === 0) throw usageError(conflict);
  const { config, problems } = resolveConfig(spec, checked, conflict ? undefined : commandLine);
  const all = [...checked.problems, ...problems];
  if (all.length > 0) throw new ConfigError(file, all);
  return config;
}

/** Reads, checks and resolves a config file (see parseConfig). */
export async function loadConfig<F extends FlagSpecs>(
  path: string,
  spec: CliSpec<F>,
  commandLine?: CommandLine<F>,
): Promise<ResolvedConfig<F>> {
  return parseConfig(await readConfigFile(path), path, spec, commandLine);
}

/** A config file's text; a file that cannot be read is bad usage, in one line. */
export async function readConfigFile(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "it is a directory"
          : code === "EACCES" || code === "EPERM"
            ? "permission denied"
            : String(err);
    throw usageError(`cannot read --config ${path}: ${reason}`);
  }
}

/** The problems of a config file as "FILE:LINE:COL: …" lines; none when it is valid. */
export function checkConfig(text: string, file: string, spec: CliSpec): string[] {
  try {
    parseConfig(text, file, spec);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
}
