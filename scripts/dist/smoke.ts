/**
 * Runs the release executables and checks them: versions, help, bad usage,
 * drop-in copies, and downloads SHA-checked through tcp-forwarding and the
 * multi pair, all on 127.0.0.1. Prints a PASS or FAIL line per check and
 * exits 1 if any failed.
 *
 *   tsx scripts/dist/smoke.ts <executable> [--wine <wine64> --wineprefix <dir>]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { CHECKS, type Subject } from "./smoke/checks.ts";
import { nativeLauncher, wineLauncher } from "./smoke/launch.ts";

/** Generous even under Wine (a check takes seconds there): a check past it hangs. */
const CHECK_DEADLINE_MS = 90_000;

/** Rejects when `work` has not settled within `ms`, so one hang fails one check, not the run. */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no result within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { wine: { type: "string" }, wineprefix: { type: "string" } },
  });
  const exe = positionals[0];
  if (!exe || (values.wine && !values.wineprefix)) {
    console.error("usage: smoke.ts <executable> [--wine <wine64> --wineprefix <dir>]");
    return 2;
  }
  const match = /^fwd-(.+)-(linux-x64|win-x64)(\.exe)?$/.exec(basename(exe));
  if (!match) throw new Error(`${exe} is not named fwd-<version>-<target>[.exe]`);
  const [, version, target, suffix = ""] = match;
  const launcher = values.wine
    ? wineLauncher(`${target} under Wine`, values.wine, values.wineprefix!)
    : nativeLauncher(target!);

  const workDir = await mkdtemp(join(tmpdir(), "fwd-smoke-"));
  let failed = 0;
  try {
    const subject: Subject = { launcher, exe: resolve(exe), version: version!, suffix, workDir };
    for (const check of CHECKS) {
      const begun = performance.now();
      try {
        const detail = await withDeadline(check.run(subject), CHECK_DEADLINE_MS);
        const seconds = ((performance.now() - begun) / 1000).toFixed(1);
        console.log(`PASS ${launcher.label}: ${check.name}: ${detail} (${seconds} s)`);
      } catch (err) {
        failed++;
        const why = err instanceof Error ? err.message : String(err);
        console.log(`FAIL ${launcher.label}: ${check.name}: ${why}`);
      }
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  console.log(`${launcher.label}: ${CHECKS.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (status) => process.exit(status),
  (err: unknown) => {
    console.error(`smoke: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
