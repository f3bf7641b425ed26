import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

/** packages/status in this repository (it may not exist yet). */
export const STATUS_PACKAGE_DIR = fileURLToPath(new URL("../../packages/status", import.meta.url));

/** What the inlined module exports: the contract packages/status/src/assets.ts must keep. */
export const INLINED_EXPORTS = ["readAsset", "assetNames"] as const;

/**
 * Inlines the status page's files into the bundle. packages/status/src/assets.ts
 * reads `packages/status/assets/<name>` relative to its own import.meta.url;
 * a single executable has no such directory, so this replaces that module with
 * one holding every file's text: `readAsset(name)` returns it (a string, so
 * `await readAsset(name)` works as well) and `assetNames` lists them, with "/"
 * between directories. Any other export of the real module would be lost, so
 * the build fails if it has one. Text files only (UTF-8); a binary file fails
 * the build. `statusDir` lets a test point it at a fixture.
 */
export function statusAssetsPlugin(statusDir: string = STATUS_PACKAGE_DIR): Plugin {
  const assetsModule = resolve(statusDir, "src", "assets.ts");
  const assetsDir = resolve(statusDir, "assets");
  return {
    name: "fwd-status-assets",
    setup(esbuild) {
      esbuild.onLoad({ filter: /[\\/]assets\.ts$/ }, async (args) => {
        if (resolve(args.path) !== assetsModule) return undefined;
        await checkExports(assetsModule);
        const files = existsSync(assetsDir) ? await listFiles(assetsDir) : [];
        const assets: Record<string, string> = {};
        for (const file of files) {
          assets[relative(assetsDir, file).split(sep).join("/")] = await readText(file);
        }
        return { contents: inlinedModule(assets), loader: "js", watchFiles: files };
      });
    },
  };
}

/** The replacement module's source. */
export function inlinedModule(assets: Record<string, string>): string {
  return [
    "// Inlined by scripts/dist/status-assets.ts: the files of packages/status/assets.",
    `const assets = new Map(Object.entries(${JSON.stringify(assets)}));`,
    "export const assetNames = [...assets.keys()];",
    "export function readAsset(name) {",
    "  const text = assets.get(name);",
    '  if (text === undefined) throw new Error("no status page asset named " + JSON.stringify(name));',
    "  return text;",
    "}",
    "",
  ].join("\n");
}

/** Fails if the real module exports something the inlined one does not. */
async function checkExports(file: string): Promise<void> {
  const result = await build({
    entryPoints: [file],
    bundle: false,
    write: false,
    metafile: true,
    format: "esm",
    logLevel: "silent",
  });
  const exported = Object.values(result.metafile.outputs).flatMap((output) => output.exports);
  const lost = exported.filter((name) => !(INLINED_EXPORTS as readonly string[]).includes(name));
  if (lost.length > 0) {
    throw new Error(
      `${file} exports ${lost.join(", ")}, which the single executable's inlined copy lacks: ` +
        "keep it to readAsset(name), or teach scripts/dist/status-assets.ts the new export",
    );
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = await Promise.all(
    entries.map((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? listFiles(path) : Promise.resolve(entry.isFile() ? [path] : []);
    }),
  );
  return files.flat().sort();
}

async function readText(file: string): Promise<string> {
  const raw = await readFile(file);
  const text = raw.toString("utf8");
  if (!Buffer.from(text, "utf8").equals(raw)) {
    throw new Error(`${file} is not UTF-8 text: the single executable inlines text assets only`);
  }
  return text;
}
