/**
 * The first pass over a read config file: every key is known and in its
 * place, every value has the right type and range. Problems are collected,
 * not thrown, so one run reports all of them.
 */
import { checkFlagText, type FlagScope, type FlagSpec, type FlagSpecs } from "../flags.js";
import type { CliSpec } from "../parse.js";
import { suggestName } from "../suggest.js";
import type {
  ConfigDocument,
  ConfigEntry,
  ConfigProblem,
  SourcePosition,
  ValueType,
} from "./document.js";
import { TUNNEL_KEY } from "./read-toml.js";

/** A value that passed its checks, with the line it came from. */
export interface CheckedValue {
  value: unknown;
  entry: ConfigEntry;
}

export interface CheckedTunnel {
  at: SourcePosition;
  name: CheckedValue | undefined;
  values: Map<string, CheckedValue>;
}

export interface CheckedDocument {
  file: string;
  top: Map<string, CheckedValue>;
  tunnels: CheckedTunnel[] | undefined;
  problems: ConfigProblem[];
}

/** A tunnel's name: shown in logs and status, so short and plain. */
export const TUNNEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Where a key may stand: a program without tunnels has only program-wide keys. */
export function scopeOf(spec: CliSpec, name: string): FlagScope {
  return spec.tunnels ? (spec.flags[name]?.scope ?? "program") : "program";
}

export function checkDocument(doc: ConfigDocument, spec: CliSpec): CheckedDocument {
  const problems = [...doc.problems];
  const problem = (at: SourcePosition, message: string) => problems.push({ at, message });
  const top = new Map<string, CheckedValue>();
  const noTunnels = (at: SourcePosition) =>
    problem(
      at,
      `${spec.name} takes no tunnel tables: it serves one listener; put its keys at the top level`,
    );
  for (const entry of doc.top) {
    if (entry.key === TUNNEL_KEY && !spec.tunnels) {
      noTunnels(entry.keyAt);
    } else if (entry.key === TUNNEL_KEY) {
      problem(
        entry.keyAt,
        `${TUNNEL_KEY} must be a list of tables: ${doc.format === "json" ? '"tunnel": [{ … }, { … }]' : "write each tunnel as a [[tunnel]] table"}`,
      );
    } else if (entry.key === "name" && spec.tunnels) {
      problem(
        entry.keyAt,
        `name belongs to a tunnel: put it inside a ${doc.format === "json" ? 'tunnel object, "tunnel": [{ "name": … }]' : "[[tunnel]] table"}`,
      );
    } else if (!(entry.key in spec.flags)) {
      problem(entry.keyAt, unknownKey(entry.key, Object.keys(spec.flags)));
    } else {
      const checked = checkEntry(entry, spec.flags);
      if (typeof checked === "string") problem(entry.valueAt, checked);
      else top.set(entry.key, checked);
    }
  }
  if (doc.tunnels && !spec.tunnels) {
    for (const table of doc.tunnels) noTunnels(table.at);
    return { file: doc.file, top, tunnels: undefined, problems };
  }
  const tunnels = doc.tunnels?.map((table) => {
    const tunnel: CheckedTunnel = { at: table.at, name: undefined, values: new Map() };
    for (const entry of table.entries) {
      if (entry.key === "name") {
        if (entry.type !== "string" || !TUNNEL_NAME.test(String(entry.value))) {
          problem(
            entry.valueAt,
            "name must be a string of letters, digits, '.', '_' or '-' (up to 64), " +
              `got ${describeWritten(entry)}`,
          );
        } else tunnel.name = { value: entry.value, entry };
      } else if (!(entry.key in spec.flags)) {
        const perTunnel = Object.keys(spec.flags).filter((key) => scopeOf(spec, key) === "tunnel");
        problem(entry.keyAt, unknownKey(entry.key, [...perTunnel, "name"]));
      } else if (scopeOf(spec, entry.key) === "program") {
        problem(
          entry.keyAt,
          `${entry.key} is program-wide: ${doc.format === "json" ? 'move it out of the "tunnel" list, to the top level' : "move it above the first [[tunnel]]"}`,
        );
      } else {
        const checked = checkEntry(entry, spec.flags);
        if (typeof checked === "string") problem(entry.valueAt, checked);
        else tunnel.values.set(entry.key, checked);
      }
    }
    return tunnel;
  });
  return { file: doc.file, top, tunnels, problems };
}

function unknownKey(key: string, known: string[]): string {
  const meant = suggestName(key, known);
  return `unknown key ${key}${meant ? `; did you mean ${meant}?` : ""}`;
}

/** What a flag kind wants, for "must be …" lines. */
function wanted(spec: FlagSpec): string {
  switch (spec.kind) {
    case "host":
      return "a host name or IP address";
    case "port":
    case "listen-port":
      return "a port number";
    case "seconds":
    case "seconds-or-off":
      return "a number of seconds";
    case "count":
      return "a whole number";
    case "string":
      return "a string";
    case "file":
      return "a file name";
    case "choice":
      return `one of ${spec.choices?.join(", ")}`;
    case "boolean":
      return "true or false";
  }
}

const TYPE_NAMES: Record<ValueType, string> = {
  string: "a string",
  integer: "a number",
  float: "a number",
  boolean: "a boolean",
  "date-time": "a date",
  array: "a list",
  table: "a table",
  null: "null",
};

function describeWritten(entry: ConfigEntry): string {
  return entry.type === "string" ? JSON.stringify(entry.value) : TYPE_NAMES[entry.type];
}

/** Checks one value against its flag; a string is the problem. */
export function checkEntry(entry: ConfigEntry, flags: FlagSpecs): CheckedValue | string {
  const { key, type, value } = entry;
  const spec = flags[key]!;
  const numeric = spec.kind === "port" || spec.kind === "listen-port" || spec.kind === "count";
  const seconds = spec.kind === "seconds" || spec.kind === "seconds-or-off";
  const textual = spec.kind !== "boolean" && !numeric && !seconds;
  let text: string;
  if (numeric || seconds) {
    if (type === "string" && /^\s*\d+(\.\d+)?\s*$/.test(String(value))) {
      return `${key} must be a number, not a string: drop the quotes around ${String(value).trim()}`;
    }
    if (type === "float" && numeric) {
      return `${key} must be a whole number, got ${entry.written ?? String(value)}`;
    }
    if (type !== "integer" && type !== "float" && type !== "string") {
      return `${key} must be ${wanted(spec)}, not ${TYPE_NAMES[type]}`;
    }
    text = String(value);
  } else if (textual) {
    if (type === "integer" || type === "float" || type === "boolean") {
      return `${key} must be a string: put ${String(value)} in quotes`;
    }
    if (type !== "string") return `${key} must be ${wanted(spec)}, not ${TYPE_NAMES[type]}`;
    text = String(value);
  } else {
    if (type === "string" && /^(true|false)$/.test(String(value))) {
      return `${key} must be true or false without quotes`;
    }
    if (type !== "boolean") return `${key} must be true or false, not ${describeWritten(entry)}`;
    text = String(value);
  }
  const written = type === "string" ? JSON.stringify(text) : (entry.written ?? text);
  const checked = checkFlagText(key, spec, text, { flags, prefix: "", written });
  return checked.ok ? { value: checked.value, entry } : `${key} ${checked.problem}`;
}
