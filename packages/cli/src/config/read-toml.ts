/**
 * TOML text → ConfigDocument. toml-eslint-parser is used (not smol-toml)
 * because it hands back a full syntax tree with the line and column of every
 * key and value, which the messages need; smol-toml gives positions for
 * syntax errors only.
 */
import { type AST, ParseError, parseTOML } from "toml-eslint-parser";
import { suggestName } from "../suggest.js";
import type { ConfigDocument, ConfigEntry, SourcePosition, TunnelTable } from "./document.js";

export const TUNNEL_KEY = "tunnel";

/** The tree's columns count from 0; ours, like editors', from 1. */
function startOf(node: { loc: AST.SourceLocation }): SourcePosition {
  return { line: node.loc.start.line, column: node.loc.start.column + 1 };
}

function keyName(key: AST.TOMLKey): string {
  return key.keys.map((part) => (part.type === "TOMLBare" ? part.name : part.value)).join(".");
}

function entryOf(pair: AST.TOMLKeyValue): ConfigEntry {
  const entry: ConfigEntry = {
    key: keyName(pair.key),
    keyAt: startOf(pair.key),
    valueAt: startOf(pair.value),
    type: "table",
    value: undefined,
  };
  const value = pair.value;
  if (value.type === "TOMLArray") entry.type = "array";
  else if (value.type === "TOMLValue") {
    switch (value.kind) {
      case "integer":
      case "float":
        entry.written = value.number;
        entry.type = value.kind;
        entry.value = value.value;
        break;
      case "string":
      case "boolean":
        entry.type = value.kind;
        entry.value = value.value;
        break;
      default:
        entry.type = "date-time";
    }
  }
  return entry;
}

export function readToml(text: string, file: string): ConfigDocument {
  const doc: ConfigDocument = { file, format: "toml", top: [], tunnels: undefined, problems: [] };
  let program: AST.TOMLProgram;
  try {
    program = parseTOML(text, { tomlVersion: "1.0" });
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    const what = err.message.replace(/^./, (first) => first.toLowerCase());
    doc.problems.push({
      at: { line: err.lineNumber, column: err.column + 1 },
      message: `TOML syntax: ${what}`,
    });
    return doc;
  }
  const tunnels: TunnelTable[] = [];
  for (const node of program.body[0].body) {
    if (node.type === "TOMLKeyValue") {
      const name = keyName(node.key);
      // Taplo also takes the schema as a "$schema" key; it is for editors only.
      if (name === "$schema") continue;
      if (name === TUNNEL_KEY && node.value.type === "TOMLArray") {
        // tunnel = [{ … }, { … }]: the inline spelling of [[tunnel]] tables.
        for (const item of node.value.elements) {
          if (item.type !== "TOMLInlineTable") {
            doc.problems.push({
              at: startOf(item),
              message: "each tunnel must be a table: write [[tunnel]] sections",
            });
            continue;
          }
          tunnels.push({ at: startOf(item), entries: item.body.map(entryOf) });
        }
        continue;
      }
      doc.top.push(entryOf(node));
      continue;
    }
    const name = keyName(node.key);
    if (name === TUNNEL_KEY && node.kind === "array") {
      tunnels.push({ at: startOf(node), entries: node.body.map(entryOf) });
    } else if (name === TUNNEL_KEY) {
      doc.problems.push({
        at: startOf(node),
        message: "[tunnel] is a single table; write [[tunnel]] (double brackets) for each tunnel",
      });
    } else {
      const brackets = node.kind === "array" ? ["[[", "]]"] : ["[", "]"];
      const meant = suggestName(name, [TUNNEL_KEY]);
      doc.problems.push({
        at: startOf(node),
        message:
          `unknown table ${brackets[0]}${name}${brackets[1]}; ` +
          (meant
            ? `did you mean [[${meant}]]?`
            : "a config file has top-level keys and [[tunnel]] tables only"),
      });
    }
  }
  if (tunnels.length > 0) doc.tunnels = tunnels;
  return doc;
}
