/**
 * pnpm dist: builds the single executables of fwd into release/:
 * fwd-<version>-linux-x64, fwd-<version>-win-x64.exe and SHA256SUMS.
 * Runs on Linux (tar, and osslsigncode for the Windows binary).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleFwd } from "./bundle.ts";
import { writeChecksums } from "./checksums.ts";
import { officialNode } from "./node-binaries.ts";
import { executableName, RELEASE_NODE_VERSION, TARGETS } from "./release-node.ts";
import { buildExecutable, makeSeaBlob } from "./sea.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const releaseDir = join(root, "release");
const started = performance.now();

function step(text: string): void {
  console.log(`dist: ${text} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

async function main(): Promise<void> {
  const pkg = JSON.parse(readFileSync(join(root, "packages/fwd/package.json"), "utf8"));
  const version: string = pkg.version;
  const work = await mkdtemp(join(tmpdir(), "fwd-dist-"));
  try {
    await rm(releaseDir, { recursive: true, force: true });
    await mkdir(releaseDir, { recursive: true });

    const bundle = join(work, "fwd.cjs");
    const [{ bytes }, ...nodes] = await Promise.all([
      bundleFwd({ outfile: bundle }),
      ...TARGETS.map((target) => officialNode(target, RELEASE_NODE_VERSION)),
    ]);
    step(
      `bundled ${(bytes / 1024).toFixed(0)} KiB; Node ${RELEASE_NODE_VERSION} ${describe(nodes)}`,
    );

    const linuxNode = nodes[TARGETS.findIndex((target) => target.id === "linux-x64")]!.path;
    const blob = await makeSeaBlob(linuxNode, bundle, work);
    const outputs = TARGETS.map((target) => join(releaseDir, executableName(version, target)));
    await Promise.all(
      TARGETS.map((target, i) =>
        buildExecutable({
          node: nodes[i]!.path,
          blob,
          output: outputs[i]!,
          windows: target.id === "win-x64",
        }),
      ),
    );
    step("injected");

    const linux = outputs[TARGETS.findIndex((target) => target.id === "linux-x64")]!;
    const printed = execFileSync(linux, ["--version"], { encoding: "utf8" }).trim();
    if (printed !== version)
      throw new Error(`${linux} --version printed "${printed}", not ${version}`);

    await writeChecksums(releaseDir, outputs);
    for (const output of outputs) {
      console.log(`  ${output}  ${((await stat(output)).size / 1e6).toFixed(1)} MB`);
    }
    step("done; checksums in release/SHA256SUMS");
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function describe(nodes: ReadonlyArray<{ downloaded: boolean }>): string {
  return nodes.some((node) => node.downloaded) ? "downloaded to the cache" : "from the cache";
}

main().catch((err: unknown) => {
  console.error(`dist: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
