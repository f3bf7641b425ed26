import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The layers of docs/architecture.md, checked on the sources: which @fwd
 * packages each package's src/ may import, and only through their public
 * entry points. A relative import never leaves its package.
 */
const packagesDir = fileURLToPath(new URL("../..", import.meta.url));

const BINS = ["tcp-forwarding", "user-server", "user-client", "multi-server", "multi-client"];

/** Package directory → the @fwd entry points its src/ may import. */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  cli: ["@fwd/core", "@fwd/status"],
  status: ["@fwd/core"],
  // The bins describe their status rows in the status page's own types.
  ...Object.fromEntries(BINS.map((bin) => [bin, ["@fwd/cli", "@fwd/core", "@fwd/status"]])),
  fwd: BINS.map((bin) => `@fwd/${bin}`),
  faults: ["@fwd/testkit"],
  testkit: [],
};

/** Third-party modules that belong to one layer only. */
const CLI_ONLY = ["yargs", "jsonc-parser", "toml-eslint-parser"];

function sourcesOf(pkg: string): string[] {
  const src = join(packagesDir, pkg, "src");
  return (readdirSync(src, { recursive: true }) as string[])
    .filter((name) => name.endsWith(".ts"))
    .map((name) => join(src, name));
}

/** Every module specifier a file imports or re-exports, static or dynamic. */
function specifiersOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const found: string[] = [];
  for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g)) {
    found.push(match[1]!);
  }
  return found;
}

describe("package layers", () => {
  it("knows every package", () => {
    const dirs = readdirSync(packagesDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    expect(dirs).toEqual(Object.keys(ALLOWED).sort());
  });

  describe.each(Object.entries(ALLOWED))("%s", (pkg, allowed) => {
    it("imports only the @fwd entry points its layer allows, and no CLI code below the CLI", () => {
      const violations: string[] = [];
      const root = resolve(packagesDir, pkg);
      for (const file of sourcesOf(pkg)) {
        const where = file.slice(packagesDir.length);
        for (const spec of specifiersOf(file)) {
          if (spec.startsWith(".")) {
            const target = resolve(file, "..", spec);
            if (!target.startsWith(root)) violations.push(`${where}: ${spec} leaves the package`);
          } else if (spec.startsWith("@fwd/") && !allowed.includes(spec)) {
            violations.push(`${where}: ${spec}`);
          } else if (
            CLI_ONLY.includes(spec.split("/")[0]!) &&
            !["cli", ...BINS, "fwd"].includes(pkg)
          ) {
            violations.push(`${where}: ${spec} is command-line code`);
          }
        }
      }
      expect(violations).toEqual([]);
    });
  });
});
