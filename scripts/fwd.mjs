// pnpm fwd <program> [flags]: runs one of the fwd programs from this clone,
// as `fwd` would. Builds first, quietly, when a package's build is missing or
// older than its sources (the build's output is shown only if it fails).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const PACKAGES = [
  "core",
  "cli",
  "tcp-forwarding",
  "user-server",
  "user-client",
  "multi-server",
  "multi-client",
  "fwd",
];

/** The newest modification time among a package's sources and build settings. */
function newestSource(dir) {
  let newest = 0;
  const visit = (path) => {
    const stat = statSync(path);
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const name of ["src", "package.json", "tsup.config.ts"]) {
    if (existsSync(join(dir, name))) visit(join(dir, name));
  }
  return newest;
}

function isStale(name) {
  const dir = join(root, "packages", name);
  const built = join(dir, "dist", "index.js");
  return !existsSync(built) || statSync(built).mtimeMs < newestSource(dir);
}

if (PACKAGES.some(isStale)) {
  process.stderr.write("fwd: building the packages first (pnpm build)...\n");
  // Under `pnpm fwd`, npm_execpath is pnpm's own script: no shell needed on Windows.
  const pnpm = process.env.npm_execpath;
  const build = /\.[cm]?js$/.test(pnpm ?? "")
    ? spawnSync(process.execPath, [pnpm, "build"], { cwd: root, encoding: "utf8" })
    : spawnSync("pnpm", ["build"], {
        cwd: root,
        encoding: "utf8",
        shell: process.platform === "win32",
      });
  if (build.status !== 0) {
    process.stderr.write(
      `${build.stdout ?? ""}${build.stderr ?? ""}${build.error?.message ?? ""}\n`,
    );
    process.stderr.write(
      "fwd: the build failed (output above); fix it, or run pnpm install first\n",
    );
    process.exit(1);
  }
}

// The bin reads its name from process.argv[1] (this file: "fwd") and its arguments after it.
await import(pathToFileURL(join(root, "packages", "fwd", "dist", "bin", "fwd.js")).href);
