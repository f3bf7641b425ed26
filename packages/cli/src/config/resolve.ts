/**
 * The second pass: each tunnel's values merged (defaults ← top level ←
 * [[tunnel]] ← command line), names given or derived, and the checks that
 * compare tunnels with each other (unique names, no two claiming the same
 * listening address or public port).
 */
import { dirname, resolve } from "node:path";
import type { FlagSpecs, FlagValues } from "../flags.js";
import type { CliSpec } from "../parse.js";
import { type CheckedDocument, type CheckedTunnel, scopeOf } from "./check-entries.js";
import { type ConfigProblem, formatPosition, type SourcePosition } from "./document.js";

/** The parsed command line a config file is merged with (a "run" ParseResult fits). */
export interface CommandLine<F extends FlagSpecs> {
  values: FlagValues<F>;
  /** The flags given explicitly; the others hold defaults and yield to the file. */
  explicit: ReadonlySet<string>;
}

/** Where a value came from: "FILE:LINE:COL" of the value, or "command line". Absent: a default. */
export type Origins<F extends FlagSpecs> = Partial<Record<keyof F & string, string>>;

export interface ResolvedTunnel<F extends FlagSpecs> {
  /** Unique; given as `name = …` or derived from the port (else "tunnel-N"). */
  name: string;
  /** True when the file named it. */
  named: boolean;
  /** Every flag's value for this tunnel, program-wide ones included. */
  values: FlagValues<F>;
  origins: Origins<F>;
  /** "FILE:LINE:COL" of its [[tunnel]] table; undefined for a file without tunnel tables. */
  at: string | undefined;
}

export interface ResolvedConfig<F extends FlagSpecs> {
  /** The config file, or undefined for a command line alone. */
  file: string | undefined;
  /** Values for the whole program: defaults ← top level ← command line. */
  program: FlagValues<F>;
  origins: Origins<F>;
  /**
   * The tunnels to run, in file order: one per [[tunnel]] table, or exactly
   * one for a file without them, a server's config or a command line alone.
   */
  tunnels: ResolvedTunnel<F>[];
}

const WILDCARDS = new Set(["0.0.0.0", "::", ""]);

/**
 * The command-line message for a per-tunnel flag given with a file of several
 * tunnels: applying it to all of them (same bind_port everywhere) is more
 * likely a mistake than a wish, so it is refused. Undefined when fine.
 */
export function tunnelFlagConflict<F extends FlagSpecs>(
  spec: CliSpec<F>,
  checked: CheckedDocument,
  commandLine: CommandLine<F> | undefined,
): string | undefined {
  const count = checked.tunnels?.length ?? 0;
  if (count < 2 || !commandLine) return undefined;
  const flags = [...commandLine.explicit].filter((name) => scopeOf(spec, name) === "tunnel");
  if (flags.length === 0) return undefined;
  const listed = flags.map((name) => `--${name}`).join(", ");
  return (
    `${listed} would apply to all ${count} tunnels of ${checked.file}; ` +
    "set it in the file instead (in each [[tunnel]], or at the top level for all)"
  );
}

export function resolveConfig<F extends FlagSpecs>(
  spec: CliSpec<F>,
  checked: CheckedDocument | undefined,
  commandLine?: CommandLine<F>,
): { config: ResolvedConfig<F>; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const file = checked?.file;
  // A file name in a config file is relative to that file, wherever the program runs.
  const fromFile = (name: string, value: unknown) =>
    spec.flags[name]?.kind === "file" ? resolve(dirname(file!), String(value)) : value;
  const base: Record<string, unknown> = {};
  const baseOrigins: Record<string, string> = {};
  for (const [name, flag] of Object.entries(spec.flags)) base[name] = flag.default;
  for (const [name, { value, entry }] of checked?.top ?? []) {
    base[name] = fromFile(name, value);
    baseOrigins[name] = formatPosition(file!, entry.valueAt);
  }
  const overrideFromCommandLine = (
    values: Record<string, unknown>,
    origins: Record<string, string>,
  ) => {
    for (const name of commandLine?.explicit ?? []) {
      values[name] = (commandLine!.values as Record<string, unknown>)[name];
      origins[name] = "command line";
    }
  };
  const program = { ...base };
  const programOrigins = { ...baseOrigins };
  overrideFromCommandLine(program, programOrigins);

  const tables: (CheckedTunnel | undefined)[] = checked?.tunnels ?? [undefined];
  const tunnels = tables.map((table) => {
    const values = { ...base };
    const origins = { ...baseOrigins };
    for (const [name, { value, entry }] of table?.values ?? []) {
      values[name] = fromFile(name, value);
      origins[name] = formatPosition(file!, entry.valueAt);
    }
    overrideFromCommandLine(values, origins);
    return {
      name: table?.name ? String(table.name.value) : "",
      named: table?.name !== undefined,
      values: values as FlagValues<F>,
      origins: origins as Origins<F>,
      at: table ? formatPosition(file!, table.at) : undefined,
    };
  });

  nameTunnels(spec, tunnels, tables, problems);
  checkClaims(spec, tunnels, tables, problems);
  return {
    config: {
      file,
      program: program as FlagValues<F>,
      origins: programOrigins as Origins<F>,
      tunnels,
    },
    problems,
  };
}

/** Given names must differ; the others are named after their port, else "tunnel-N". */
function nameTunnels<F extends FlagSpecs>(
  spec: CliSpec<F>,
  tunnels: ResolvedTunnel<F>[],
  tables: (CheckedTunnel | undefined)[],
  problems: ConfigProblem[],
): void {
  const taken = new Map<string, number>();
  tunnels.forEach((tunnel, index) => {
    if (!tunnel.named) return;
    const first = taken.get(tunnel.name);
    if (first === undefined) {
      taken.set(tunnel.name, index);
      return;
    }
    problems.push({
      at: tables[index]!.name!.entry.valueAt,
      message: `tunnel name "${tunnel.name}" is already used by the tunnel at line ${tables[first]!.at.line}; names must differ`,
    });
  });
  tunnels.forEach((tunnel, index) => {
    if (tunnel.named) return;
    const port = spec.tunnels ? (tunnel.values as Record<string, unknown>)[spec.tunnels.port] : 0;
    const candidates = [
      ...(spec.tunnels ? [] : [spec.name]),
      ...(typeof port === "number" && port !== 0 ? [String(port)] : []),
      `tunnel-${index + 1}`,
    ];
    let name = candidates.find((candidate) => !taken.has(candidate));
    for (let suffix = 2; name === undefined; suffix++) {
      if (!taken.has(`tunnel-${index + 1}-${suffix}`)) name = `tunnel-${index + 1}-${suffix}`;
    }
    tunnel.name = name;
    taken.set(name, index);
  });
}

/** No two tunnels may listen on the same address, or ask for the same public port. */
function checkClaims<F extends FlagSpecs>(
  spec: CliSpec<F>,
  tunnels: ResolvedTunnel<F>[],
  tables: (CheckedTunnel | undefined)[],
  problems: ConfigProblem[],
): void {
  const claim = spec.tunnels;
  if (!claim) return;
  const portOf = (tunnel: ResolvedTunnel<F>) =>
    (tunnel.values as Record<string, unknown>)[claim.port] as number;
  const hostOf = (tunnel: ResolvedTunnel<F>) =>
    claim.host ? String((tunnel.values as Record<string, unknown>)[claim.host]) : undefined;
  tunnels.forEach((tunnel, index) => {
    const port = portOf(tunnel);
    if (port === 0) return; // any free port: never the same one twice
    const host = hostOf(tunnel);
    const clash = tunnels.slice(0, index).find((other) => {
      if (portOf(other) !== port) return false;
      const otherHost = hostOf(other);
      if (host === undefined || otherHost === undefined) return true;
      return (
        host.toLowerCase() === otherHost.toLowerCase() ||
        WILDCARDS.has(host) ||
        WILDCARDS.has(otherHost)
      );
    });
    if (!clash) return;
    const table = tables[index];
    const at: SourcePosition = table?.values.get(claim.port)?.entry.valueAt ??
      table?.at ?? { line: 1, column: 1 };
    const address =
      host === undefined ? String(port) : `${host.includes(":") ? `[${host}]` : host}:${port}`;
    const clashLine = tables[tunnels.indexOf(clash)]?.at.line;
    problems.push({
      at,
      message:
        `tunnel "${tunnel.name}" has the same ${claim.what} ${address} as tunnel "${clash.name}"` +
        `${clashLine === undefined ? "" : ` (line ${clashLine})`}; give each tunnel its own ${claim.port}`,
    });
  });
}
