/**
 * A config file as read, before any check against a program's flags: its
 * keys, their values and where each stands. TOML and JSON both read into
 * this, so validation has one shape to walk and one way to say where.
 */

/** A place in a file, 1-based line and column (as editors count them). */
export interface SourcePosition {
  line: number;
  column: number;
}

/** What a value is, as written (a TOML integer and float differ; JSON numbers are split by value). */
export type ValueType =
  | "string"
  | "integer"
  | "float"
  | "boolean"
  | "date-time"
  | "array"
  | "table"
  | "null";

/** One `key = value` line. */
export interface ConfigEntry {
  key: string;
  /** Where the key starts. */
  keyAt: SourcePosition;
  /** Where the value starts. */
  valueAt: SourcePosition;
  type: ValueType;
  /** The plain value for string, integer, float and boolean; undefined otherwise. */
  value: string | number | boolean | undefined;
  /** A number as written (3389.0, 1e3), for messages. */
  written?: string;
}

/** One [[tunnel]] table (or one object of a JSON "tunnel" array). */
export interface TunnelTable {
  /** Where the table starts: its [[tunnel]] header, or the object's brace. */
  at: SourcePosition;
  entries: ConfigEntry[];
}

/** Something wrong, where it is, in words that say what to do. */
export interface ConfigProblem {
  at: SourcePosition;
  message: string;
}

export interface ConfigDocument {
  /** The file name as given, used at the start of every message. */
  file: string;
  /** Chooses the wording of hints ("above the first [[tunnel]]" or "out of the tunnel list"). */
  format: "toml" | "json";
  /** Keys at the top level, in file order (a `tunnel` list excluded). */
  top: ConfigEntry[];
  /** The tunnel tables, in file order; undefined when the file has none. */
  tunnels: TunnelTable[] | undefined;
  /** What the reader found wrong with the file's shape (misplaced tables, nesting). */
  problems: ConfigProblem[];
}

/** "FILE:LINE:COL" as compilers print it, which editors and terminals turn into links. */
export function formatPosition(file: string, at: SourcePosition): string {
  return `${file}:${at.line}:${at.column}`;
}

/** Positions from offsets into a text, counting lines by \n (a \r before it is part of the line). */
export function positionsOf(text: string): (offset: number) => SourcePosition {
  const lineStarts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) lineStarts.push(i + 1);
  return (offset) => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (lineStarts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - lineStarts[low]! + 1 };
  };
}
