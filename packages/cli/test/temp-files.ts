import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A temporary directory for one test file's config files, removed by `remove()`. */
export function tempDir(prefix = "fwd-config-") {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    /** Writes `text` to `name` in the directory and returns its path. */
    write(name: string, text: string): string {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    remove(): void {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
