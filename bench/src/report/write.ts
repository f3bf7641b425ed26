/**
 * Writes the run's files next to each other in bench/results: through a
 * .tmp file and a rename, so an interrupted run never leaves half a file.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const resultsDir = fileURLToPath(new URL("../../results/", import.meta.url));

export function writeResult(name: string, data: string | Buffer): string {
  mkdirSync(resultsDir, { recursive: true });
  const path = join(resultsDir, name);
  writeFileSync(`${path}.tmp`, data);
  renameSync(`${path}.tmp`, path);
  return path;
}
