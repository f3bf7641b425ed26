import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A temporary directory for a test's files (config files, tokens). */
export interface TempFiles {
  dir: string;
  /** Writes `text` to `name` in the directory (replacing it) and returns its path. */
  write(name: string, text: string): string;
  /** Removes the directory and everything in it. */
  close(): void;
}

export function tempFiles(prefix = "fwd-test-"): TempFiles {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    write(name, text) {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
