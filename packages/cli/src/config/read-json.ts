/**
 * JSON text → ConfigDocument, through jsonc-parser's syntax tree (offsets of
 * every key and value; syntax errors reported all at once). Plain JSON: no
 * comments, no trailing commas, as other tools reading the file expect.
 */
import { type Node, type ParseError, parseTree, printParseErrorCode } from "jsonc-parser";
import {
  type ConfigDocument,
  type ConfigEntry,
  type ConfigProblem,
  positionsOf,
  type SourcePosition,
  type TunnelTable,
} from "./document.js";
import { TUNNEL_KEY } from "./read-toml.js";

/** "CloseBraceExpected" → "close brace expected". */
function describeSyntaxError(error: ParseError): string {
  return printParseErrorCode(error.error)
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase();
}

export function readJson(text: string, file: string): ConfigDocument {
  const doc: ConfigDocument = { file, format: "json", top: [], tunnels: undefined, problems: [] };
  const at = positionsOf(text);
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  if (errors.length > 0 || root === undefined) {
    // The parser may say two things about one spot ("property name expected",
    // "value expected" for a trailing comma): the first is enough.
    const seen = new Set<number>();
    for (const error of errors) {
      if (seen.has(error.offset)) continue;
      seen.add(error.offset);
      doc.problems.push({
        at: at(error.offset),
        message: `JSON syntax: ${describeSyntaxError(error)}`,
      });
    }
    if (errors.length === 0) doc.problems.push({ at: at(0), message: "JSON syntax: empty file" });
    return doc;
  }
  if (root.type !== "object") {
    doc.problems.push({ at: at(root.offset), message: "the file must hold one JSON object { … }" });
    return doc;
  }
  for (const [key, keyNode, value] of propertiesOf(root, at, doc.problems)) {
    if (key === "$schema") continue;
    if (key === TUNNEL_KEY && value.type === "array") {
      const tunnels = tunnelsOf(value, text, at, doc.problems);
      // As in TOML, no tunnel tables means the top level is the one tunnel.
      if (tunnels.length > 0) doc.tunnels = tunnels;
      continue;
    }
    doc.top.push(entryOf(key, keyNode, value, text, at));
  }
  return doc;
}

function tunnelsOf(
  list: Node,
  text: string,
  at: (offset: number) => SourcePosition,
  problems: ConfigProblem[],
): TunnelTable[] {
  const tunnels: TunnelTable[] = [];
  for (const item of list.children ?? []) {
    if (item.type !== "object") {
      problems.push({
        at: at(item.offset),
        message: 'each entry of "tunnel" must be an object { … }',
      });
      continue;
    }
    const entries: ConfigEntry[] = [];
    for (const [key, keyNode, value] of propertiesOf(item, at, problems)) {
      entries.push(entryOf(key, keyNode, value, text, at));
    }
    tunnels.push({ at: at(item.offset), entries });
  }
  return tunnels;
}

/** An object's properties as [name, key node, value node]; a repeated key is a problem. */
function* propertiesOf(
  object: Node,
  at: (offset: number) => SourcePosition,
  problems: ConfigProblem[],
): Generator<[string, Node, Node]> {
  const seen = new Map<string, SourcePosition>();
  for (const property of object.children ?? []) {
    const [keyNode, value] = property.children ?? [];
    if (keyNode === undefined || value === undefined) continue;
    const key = String(keyNode.value);
    const first = seen.get(key);
    if (first) {
      problems.push({
        at: at(keyNode.offset),
        message: `"${key}" is given twice (first at line ${first.line}); keep one`,
      });
      continue;
    }
    seen.set(key, at(keyNode.offset));
    yield [key, keyNode, value];
  }
}

function entryOf(
  key: string,
  keyNode: Node,
  value: Node,
  text: string,
  at: (offset: number) => SourcePosition,
): ConfigEntry {
  const entry: ConfigEntry = {
    key,
    keyAt: at(keyNode.offset),
    valueAt: at(value.offset),
    type: "null",
    value: undefined,
  };
  switch (value.type) {
    case "string":
    case "boolean":
      entry.type = value.type;
      entry.value = value.value;
      break;
    case "number": {
      // As written: 3389.0 is a float, as in TOML, though JavaScript sees an integer.
      const written = text.slice(value.offset, value.offset + value.length);
      entry.type = /[.eE]/.test(written) ? "float" : "integer";
      entry.value = value.value;
      entry.written = written;
      break;
    }
    case "array":
      entry.type = "array";
      break;
    case "object":
      entry.type = "table";
      break;
  }
  return entry;
}
