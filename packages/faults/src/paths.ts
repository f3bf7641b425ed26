import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The repository's test-results folder, where faults.json goes. */
export const resultsDir = join(packageDir, "..", "..", "test-results");

/** A built helper program of this package (dist/agents/<name>.js). */
export function agentScript(name: "agent" | "target"): string {
  const path = join(packageDir, "dist", "agents", `${name}.js`);
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: run "pnpm build" first (pnpm test does)`);
  }
  return path;
}
