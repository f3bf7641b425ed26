/**
 * pnpm test:watch: vitest in watch mode, with the built bins kept fresh.
 *
 * Library tests import TypeScript sources and rerun on their own; bin tests
 * run `packages/<pkg>/dist/bin/*.js` as child processes, which load the
 * built @fwd/core and @fwd/cli. This script builds once, then rebuilds a
 * package whenever its sources change and, once the build is complete,
 * touches a stamp file that vitest.watch.config.ts turns into a rerun of the
 * bin tests (never mid-build, when dist/ is half written). Arguments go to
 * vitest (e.g. `pnpm test:watch --project tcp-forwarding`).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { type FSWatcher, mkdirSync, watch, writeFileSync } from "node:fs";
import { join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { BUILD_STAMP } from "../vitest.watch.config.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const VITEST = join(root, "node_modules", "vitest", "vitest.mjs");

/** The packages whose dist/ the bins load: their own, and the libraries they import. */
const BUILT_FOR_BINS = [
  "core",
  "cli",
  "tcp-forwarding",
  "user-server",
  "user-client",
  "multi-server",
  "multi-client",
  "fwd",
];

/** Runs `pnpm <args>` at the root; resolves with its exit status. */
function pnpm(args: string[]): Promise<number> {
  return new Promise((resolve) => {
    // shell: pnpm is a .cmd on Windows.
    const child = spawn("pnpm", args, {
      cwd: root,
      stdio: "inherit",
      shell: process.platform === "win32",
    });
    child.once("error", () => resolve(1));
    child.once("exit", (code) => resolve(code ?? 1));
  });
}

function touchStamp(): void {
  mkdirSync(join(root, BUILD_STAMP, ".."), { recursive: true });
  writeFileSync(join(root, BUILD_STAMP), `${new Date().toISOString()}\n`);
}

/** Rebuilds changed packages one batch at a time; changes during a build start the next batch. */
class Rebuilder {
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private building = false;

  changed(pkg: string): void {
    this.pending.add(pkg);
    clearTimeout(this.timer);
    // An editor's save is often several writes: build once they have settled.
    this.timer = setTimeout(() => void this.build(), 200);
  }

  private async build(): Promise<void> {
    if (this.building || this.pending.size === 0) return;
    this.building = true;
    const batch = [...this.pending];
    this.pending.clear();
    const filters = batch.flatMap((pkg) => ["--filter", `./packages/${pkg}`]);
    console.error(`test:watch: rebuilding ${batch.join(", ")} for the bin tests`);
    const status = await pnpm([...filters, "run", "build"]);
    if (status === 0) touchStamp();
    else console.error("test:watch: the build failed; bin tests wait for the next good build");
    this.building = false;
    if (this.pending.size > 0) void this.build();
  }
}

async function main(argv: string[]): Promise<number> {
  if ((await pnpm(["build"])) !== 0) return 1;
  touchStamp();
  const rebuilder = new Rebuilder();
  const watchers: FSWatcher[] = BUILT_FOR_BINS.map((pkg) =>
    watch(join(root, "packages", pkg, "src"), { recursive: true }, (_, file) => {
      if (file && !String(file).split(sep).includes("node_modules")) rebuilder.changed(pkg);
    }),
  );
  const vitest: ChildProcess = spawn(
    process.execPath,
    [VITEST, "--watch", "--config", "vitest.watch.config.ts", ...argv],
    { cwd: root, stdio: "inherit" },
  );
  // Ctrl+C reaches vitest too (same process group); a plain kill of this script must as well.
  const stop = () => vitest.kill("SIGINT");
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const code = await new Promise<number | null>((resolve) =>
    vitest.once("exit", (status) => resolve(status)),
  );
  process.off("SIGINT", stop);
  process.off("SIGTERM", stop);
  for (const watcher of watchers) watcher.close();
  return code ?? 0;
}

process.exitCode = await main(process.argv.slice(2));
