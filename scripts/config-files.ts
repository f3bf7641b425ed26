/**
 * pnpm schema: writes what is generated from the flag specs of the five
 * programs: packages/<program>/config.schema.json and the key reference in
 * docs/config.md. `--check` writes nothing and exits 1 if a file is stale
 * (a test in packages/cli does the same check).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type CliSpec, configSchema, withReference } from "../packages/cli/src/index.ts";
import { spec as multiClient } from "../packages/multi-client/src/cli.ts";
import { spec as multiServer } from "../packages/multi-server/src/cli.ts";
import { spec as tcpForwarding } from "../packages/tcp-forwarding/src/cli.ts";
import { spec as userClient } from "../packages/user-client/src/cli.ts";
import { spec as userServer } from "../packages/user-server/src/cli.ts";

export const root = fileURLToPath(new URL("..", import.meta.url));

/** The programs, in the order the docs present them (the legacy README's three scenarios). */
export const programs: readonly CliSpec[] = [
  tcpForwarding,
  userServer,
  userClient,
  multiServer,
  multiClient,
];

export const REFERENCE_DOC = "docs/config.md";

export const schemaPath = (spec: CliSpec) => `packages/${spec.name}/config.schema.json`;

/** Every generated file, path (from the repository root) → content it should have. */
export function generatedFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const spec of programs) {
    files.set(schemaPath(spec), `${JSON.stringify(configSchema(spec), null, 2)}\n`);
  }
  const doc = readFileSync(`${root}/${REFERENCE_DOC}`, "utf8");
  files.set(REFERENCE_DOC, withReference(doc, programs));
  return files;
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes("--check");
  let stale = 0;
  for (const [path, content] of generatedFiles()) {
    if (readOrEmpty(`${root}/${path}`) === content) continue;
    stale++;
    if (check) console.error(`${path} is out of date: run pnpm schema`);
    else {
      writeFileSync(`${root}/${path}`, content);
      console.log(`wrote ${path}`);
    }
  }
  process.exitCode = check && stale > 0 ? 1 : 0;
}
