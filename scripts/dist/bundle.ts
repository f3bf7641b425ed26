import { isBuiltin } from "node:module";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { statusAssetsPlugin } from "./status-assets.ts";

/** The single executable's entry: the fwd bin, from its TypeScript source. */
export const FWD_ENTRY = fileURLToPath(
  new URL("../../packages/fwd/src/bin/fwd.ts", import.meta.url),
);
const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface BundleOptions {
  outfile: string;
  entry?: string;
  /** packages/status, or a test's fixture of it. */
  statusDir?: string;
  /** esbuild's console output; tests that expect a failure silence it. */
  logLevel?: "warning" | "silent";
}

/**
 * Optional modules that packages try to require() inside a try/catch. Each
 * becomes an empty module: otherwise the bundle would still require it from
 * node_modules, and the single executable's require() warns on every
 * non-built-in module it is asked for.
 */
const OPTIONAL_MODULES = ["supports-color"]; // debug: colors for DEBUG output

/**
 * Bundles the fwd bin and everything it imports into one CommonJS file that
 * needs nothing but Node's built-in modules (the SEA's main script must be
 * CommonJS, and its require() loads built-ins only). Workspace packages come
 * from their TypeScript sources ("@fwd/source"), so no `pnpm build` is needed.
 */
export async function bundleFwd(options: BundleOptions): Promise<{ bytes: number }> {
  const result = await build({
    entryPoints: [options.entry ?? FWD_ENTRY],
    outfile: options.outfile,
    // Module paths in the bundle's comments are relative to this, not to the
    // current directory: the same sources make the same bundle anywhere.
    absWorkingDir: REPO_ROOT,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    conditions: ["@fwd/source"],
    // ESM builds first: jsonc-parser's CommonJS main is a UMD wrapper whose
    // require() calls esbuild cannot follow (they would fail at run time).
    mainFields: ["module", "main"],
    // yargs calls createRequire(import.meta.url); CommonJS has no import.meta,
    // so every use reads a file URL of this bundle (the executable in a SEA).
    define: { "import.meta.url": "__fwd_import_meta_url" },
    banner: {
      js: 'var __fwd_import_meta_url = require("node:url").pathToFileURL(__filename).href;',
    },
    plugins: [emptyModules(OPTIONAL_MODULES), statusAssetsPlugin(options.statusDir)],
    metafile: true,
    logLevel: options.logLevel ?? "warning",
  });
  const outputs = Object.values(result.metafile.outputs);
  const external = outputs.flatMap((output) => output.imports).filter((i) => i.external);
  const fromDisk = [...new Set(external.map((i) => i.path).filter((path) => !isBuiltin(path)))];
  if (fromDisk.length > 0) {
    throw new Error(
      `the bundle would load ${fromDisk.join(", ")} from node_modules at run time; ` +
        "bundle it, or list it in OPTIONAL_MODULES if only an optional require() wants it",
    );
  }
  return { bytes: outputs.reduce((sum, output) => sum + output.bytes, 0) };
}

/** Resolves each named module to an empty one. */
function emptyModules(names: readonly string[]): Plugin {
  const filter = new RegExp(`^(${names.map((name) => name.replace(/[-/]/g, "\\$&")).join("|")})$`);
  return {
    name: "fwd-empty-modules",
    setup(esbuild) {
      esbuild.onResolve({ filter }, (args) => ({ path: args.path, namespace: "fwd-empty" }));
      esbuild.onLoad({ filter: /.*/, namespace: "fwd-empty" }, () => ({
        contents: "module.exports = {};",
        loader: "js",
      }));
    },
  };
}
