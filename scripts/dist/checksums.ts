import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import { basename, join } from "node:path";

export const CHECKSUMS_FILE = "SHA256SUMS";

/**
 * Writes SHA256SUMS in `dir` for `files`, in the format `sha256sum -c`
 * checks: `<hex>  <name>` per line.
 */
export async function writeChecksums(dir: string, files: readonly string[]): Promise<string> {
  const lines = [];
  for (const file of files) lines.push(`${await sha256File(file)}  ${basename(file)}\n`);
  const path = join(dir, CHECKSUMS_FILE);
  await writeFile(path, lines.join(""));
  return path;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
