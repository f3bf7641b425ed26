// Builds every package and says so in one line; the build's own output is
// shown only if it fails. For commands whose results matter more than the
// build's progress (pnpm demo).
import { spawnSync } from "node:child_process";

const started = performance.now();
process.stderr.write("building the packages… ");
const build = spawnSync("pnpm", ["-s", "build"], {
  encoding: "utf8",
  shell: process.platform === "win32", // pnpm is a .cmd there
});
if (build.status !== 0) {
  process.stderr.write(`failed:\n${build.stdout}${build.stderr}`);
  process.exit(build.status ?? 1);
}
process.stderr.write(`done (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
