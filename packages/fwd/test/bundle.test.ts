import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { bundleFwd } from "../../../scripts/dist/bundle.ts";
import pkg from "../package.json" with { type: "json" };

const run = promisify(execFile);
let dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  dirs = [];
});

/** A scratch directory outside the repository: no node_modules above it to fall back on. */
async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "fwd-bundle-"));
  dirs.push(dir);
  return dir;
}

async function writeFiles(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, name)), { recursive: true });
    await writeFile(join(root, name), content);
  }
}

/** The way packages/status/src/assets.ts is meant to read its files (without a bundler). */
const READING_ASSETS_MODULE = `
import { readFileSync } from "node:fs";
export function readAsset(name: string): string {
  return readFileSync(new URL(\`../assets/\${name}\`, import.meta.url), "utf8");
}
`;

/** Text that would break a careless inliner: quotes, backticks, a placeholder, a backslash. */
const TRICKY_TEXT = `body { content: '"\`$\{x}\`\\'; }\n`;

describe("the single executable's bundle", () => {
  it("runs from a directory without node_modules, as fwd and as a drop-in", async () => {
    const dir = await scratch();
    const bundle = join(dir, "fwd.cjs");
    await bundleFwd({ outfile: bundle });
    const text = await readFile(bundle, "utf8");
    // Reproducible: the same bytes from another directory (SHA256SUMS can be rebuilt).
    const again = join(dir, "again", "fwd.cjs");
    await bundleFwd({ outfile: again });
    expect(await readFile(again, "utf8")).toBe(text);
    expect(text).not.toContain(dir);
    expect(text).not.toMatch(/import\.meta/);
    expect(text).not.toMatch(/require\("supports-color"\)/);

    const version = await run(process.execPath, [bundle, "--version"], { cwd: dir });
    expect(version.stdout).toBe(`${pkg.version}\n`);
    const dropIn = join(dir, "tcp_forwarding.cjs");
    await copyFile(bundle, dropIn);
    const help = await run(process.execPath, [dropIn, "--help"], { cwd: dir });
    expect(help.stdout).toMatch(/^Usage: tcp-forwarding \[flags\]/);
    const bad = await run(process.execPath, [dropIn, "--bogus"], { cwd: dir }).catch((e) => e);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^\d{4}-\d\d-\d\d [\d:.]+ error tcp-forwarding: unknown flag --bogus; see --help for the flags\n$/,
    );
  });

  it("inlines the status page's assets so the bundle reads none from disk", async () => {
    const dir = await scratch();
    const status = join(dir, "status");
    await writeFiles(dir, {
      "status/src/assets.ts": READING_ASSETS_MODULE,
      "status/assets/index.html": "<!doctype html><title>fwd ✓</title>\n",
      "status/assets/css/app.css": TRICKY_TEXT,
      // Another module of the same file name is left alone.
      "other/assets.ts": 'export const kind = "not the status page";\n',
      "entry.ts": [
        'import { readAsset } from "./status/src/assets.ts";',
        'import { kind } from "./other/assets.ts";',
        'console.log(JSON.stringify([readAsset("index.html"), readAsset("css/app.css"), kind]));',
        'try { readAsset("missing.js"); } catch (err) { console.log(String(err)); }',
      ].join("\n"),
    });
    const bundle = join(dir, "out", "status.cjs");
    await bundleFwd({ entry: join(dir, "entry.ts"), outfile: bundle, statusDir: status });
    await rm(status, { recursive: true });

    const { stdout } = await run(process.execPath, [bundle], { cwd: dir });
    const [json, error] = stdout.trim().split("\n");
    expect(JSON.parse(json!)).toEqual([
      "<!doctype html><title>fwd ✓</title>\n",
      TRICKY_TEXT,
      "not the status page",
    ]);
    expect(error).toBe('Error: no status page asset named "missing.js"');
  });

  it("refuses an assets module whose exports the inlined copy would lose", async () => {
    const dir = await scratch();
    await writeFiles(dir, {
      "status/src/assets.ts": `${READING_ASSETS_MODULE}export const assetRoot = "x";\n`,
      "entry.ts": 'import { readAsset } from "./status/src/assets.ts";\nreadAsset("a");\n',
    });
    const bundling = bundleFwd({
      entry: join(dir, "entry.ts"),
      outfile: join(dir, "out.cjs"),
      statusDir: join(dir, "status"),
      logLevel: "silent",
    });
    await expect(bundling).rejects.toThrow(/exports assetRoot, which the single executable's/);
  });

  it("refuses a binary asset", async () => {
    const dir = await scratch();
    await writeFiles(dir, {
      "status/src/assets.ts": READING_ASSETS_MODULE,
      "status/assets/favicon.png": Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe]),
      "entry.ts": 'import { readAsset } from "./status/src/assets.ts";\nreadAsset("a");\n',
    });
    const bundling = bundleFwd({
      entry: join(dir, "entry.ts"),
      outfile: join(dir, "out.cjs"),
      statusDir: join(dir, "status"),
      logLevel: "silent",
    });
    await expect(bundling).rejects.toThrow(/favicon\.png is not UTF-8 text/);
  });
});
