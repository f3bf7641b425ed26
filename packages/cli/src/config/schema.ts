/**
 * The JSON Schema (draft 2020-12) of a program's config file, from its flag
 * specs: editors use it to complete keys, show the help of each and flag
 * mistakes as you type (Taplo / Even Better TOML via a `#:schema` comment,
 * any JSON editor via "$schema").
 */
import type { FlagSpec } from "../flags.js";
import type { CliSpec } from "../parse.js";
import { scopeOf, TUNNEL_NAME } from "./check-entries.js";
import { TUNNEL_KEY } from "./read-toml.js";

export type JsonSchema = Record<string, unknown>;

/** A host, but not "host:port" (a port has its own key). */
const HOST_WITH_PORT_PATTERN = "^(\\[[^\\]]+\\]|[^:\\[\\]]+):\\d{1,5}$";

function valueSchema(flag: FlagSpec): JsonSchema {
  switch (flag.kind) {
    case "host":
      return {
        type: "string",
        minLength: 1,
        pattern: "^[^\\s/]+$",
        not: { pattern: HOST_WITH_PORT_PATTERN },
      };
    case "port":
      return { type: "integer", minimum: 1, maximum: 65535 };
    case "listen-port":
      return { type: "integer", minimum: 0, maximum: 65535 };
    case "seconds":
      return { type: "number", exclusiveMinimum: 0 };
    case "seconds-or-off":
      return { type: "number", minimum: 0 };
    case "count":
      return { type: "integer", minimum: 1, maximum: 999_999_999 };
    case "string":
      return { type: "string" };
    case "file":
      return { type: "string", minLength: 1 };
    case "choice":
      return { type: "string", enum: [...(flag.choices ?? [])] };
    case "boolean":
      return { type: "boolean" };
  }
}

function keySchema(flag: FlagSpec): JsonSchema {
  return {
    description: flag.describe,
    ...valueSchema(flag),
    ...(flag.default === undefined ? {} : { default: flag.default }),
  };
}

export function configSchema(spec: CliSpec): JsonSchema {
  const properties: Record<string, JsonSchema> = {
    $schema: { description: "The schema of this file, for editors", type: "string" },
  };
  const tunnelProperties: Record<string, JsonSchema> = {
    name: {
      description: "The tunnel's name in logs and status (default: its port, else tunnel-N)",
      type: "string",
      pattern: TUNNEL_NAME.source,
    },
  };
  for (const [name, flag] of Object.entries(spec.flags)) {
    properties[name] = keySchema(flag);
    if (scopeOf(spec, name) === "tunnel") tunnelProperties[name] = keySchema(flag);
  }
  if (spec.tunnels) {
    properties[TUNNEL_KEY] = {
      description:
        "One table per tunnel ([[tunnel]] in TOML), each with the per-tunnel keys; " +
        "top-level keys are the defaults of every tunnel",
      type: "array",
      items: { type: "object", properties: tunnelProperties, additionalProperties: false },
    };
  }
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: `${spec.name} config file`,
    description: spec.summary,
    type: "object",
    properties,
    additionalProperties: false,
  };
}
