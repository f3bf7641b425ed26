import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { mergeConfig } from "vitest/config";
import base from "./vitest.config.ts";

/**
 * The config of `pnpm test:watch` (scripts/test-watch.ts): the usual one,
 * plus a rerun of every test that runs a built bin each time the script
 * has finished rebuilding the packages the bins load.
 */
export const BUILD_STAMP = ".test-watch/bins-built";

const root = fileURLToPath(new URL(".", import.meta.url));

/** Test files that start built bins (they call binPath() or startListeningBin()). */
function binTests(): string[] {
  const files: string[] = [];
  for (const pkg of readdirSync(join(root, "packages"))) {
    const dir = join(root, "packages", pkg, "test");
    let names: string[];
    try {
      names = readdirSync(dir, { recursive: true }) as string[];
    } catch {
      continue;
    }
    for (const name of names) {
      if (!name.endsWith(".test.ts")) continue;
      const file = join(dir, name);
      if (/\b(binPath|startListeningBin)\(/.test(readFileSync(file, "utf8"))) files.push(file);
    }
  }
  return files;
}

export default mergeConfig(base, {
  test: {
    watchTriggerPatterns: [
      {
        pattern: /\.test-watch\/bins-built$/,
        testsToRun: () => binTests(),
      },
    ],
  },
});
