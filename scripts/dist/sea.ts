import { chmod, copyFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { runTool } from "./tools.ts";

/** The fuse Node checks to know it carries a SEA blob (fixed in Node's source). */
export const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

/**
 * Makes the SEA preparation blob of `bundle` with `node`, which must be the
 * very Node release the blob goes into. No code cache and no snapshot: those
 * are tied to the platform that makes them, while this one blob serves both
 * Linux and Windows. Paths in the config are relative to `workDir`, since the
 * blob records the main script's path: the same bundle always makes the same
 * blob, and so the same executables (a rebuild can be checked against
 * SHA256SUMS).
 */
export async function makeSeaBlob(node: string, bundle: string, workDir: string): Promise<string> {
  const blob = join(workDir, "fwd.blob");
  const config = join(workDir, "sea-config.json");
  const settings = {
    main: relative(workDir, bundle),
    output: "fwd.blob",
    disableExperimentalSEAWarning: true,
    useSnapshot: false,
    useCodeCache: false,
  };
  await writeFile(config, `${JSON.stringify(settings, null, 2)}\n`);
  await runTool(node, ["--experimental-sea-config", "sea-config.json"], {
    cwd: workDir,
    what: "making the SEA blob",
  });
  return blob;
}

/**
 * Writes `output`, a copy of the official `node` with `blob` injected. A
 * Windows binary first loses its Authenticode signature (injection would
 * break it anyway; a broken signature is worse than none), so the result is
 * unsigned. Linux and Windows binaries take no Mach-O segment name.
 */
export async function buildExecutable(options: {
  node: string;
  blob: string;
  output: string;
  windows: boolean;
}): Promise<void> {
  const { node, blob, output, windows } = options;
  if (windows) {
    await runTool("osslsigncode", ["remove-signature", "-in", node, "-out", output], {
      what: "removing the signature of node.exe (apt-get install osslsigncode)",
    });
  } else {
    await copyFile(node, output);
  }
  await chmod(output, 0o755);
  await runTool(
    process.execPath,
    [postjectCli(), output, "NODE_SEA_BLOB", blob, "--sentinel-fuse", SEA_FUSE],
    {
      what: `injecting the SEA blob into ${output}`,
    },
  );
}

function postjectCli(): string {
  return createRequire(import.meta.url).resolve("postject/dist/cli.js");
}
