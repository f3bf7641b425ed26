/**
 * pnpm api: writes the API reports (packages/<pkg>/api/*.api.md) from the
 * built .d.ts files with API Extractor. `--check` writes nothing and exits 1
 * if the built API differs from a checked-in report. Run after `pnpm build`.
 *
 * A report lists every exported declaration as its .d.ts shows it (members
 * tagged @internal are already stripped by tsup), plus a `// Warning:` line
 * wherever the public API uses a type the entry point does not export
 * (ae-forgotten-export): such a type is a promise users cannot name.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  Extractor,
  ExtractorConfig,
  type ExtractorMessage,
  ExtractorMessageCategory,
} from "@microsoft/api-extractor";

const root = fileURLToPath(new URL("..", import.meta.url));

interface Entry {
  /** packages/<pkg> */
  pkg: string;
  /** The built declaration file, relative to the package. */
  dts: string;
  /** The report's name, without `.api.md`. */
  report: string;
}

/** Every public entry point of the published libraries. */
const entries: readonly Entry[] = [
  { pkg: "core", dts: "dist/index.d.ts", report: "core" },
  { pkg: "core", dts: "dist/protocol.d.ts", report: "core-protocol" },
  { pkg: "cli", dts: "dist/index.d.ts", report: "cli" },
  { pkg: "status", dts: "dist/index.d.ts", report: "status" },
];

interface Outcome {
  changed: boolean;
  /** The `// Warning:` lines the report carries (forgotten exports, …). */
  reportWarnings: string[];
  errors: string[];
}

function extract(entry: Entry, check: boolean): Outcome {
  const projectFolder = join(root, "packages", entry.pkg);
  const dts = join(projectFolder, entry.dts);
  if (!existsSync(dts)) {
    throw new Error(`${dts} is missing: run "pnpm build" first`);
  }
  const tempFolder = join(tmpdir(), "fwd-api-report", entry.report);
  const reportFolder = join(projectFolder, "api");
  if (!check) mkdirSync(reportFolder, { recursive: true });
  const config = ExtractorConfig.prepare({
    configObjectFullPath: join(projectFolder, "api-extractor.json"), // virtual: no file is read
    packageJsonFullPath: join(projectFolder, "package.json"),
    configObject: {
      projectFolder,
      mainEntryPointFilePath: dts,
      newlineKind: "lf",
      compiler: {
        // The .d.ts import only node: built-ins and the other @fwd packages' built types.
        overrideTsconfig: {
          compilerOptions: {
            target: "ES2022",
            lib: ["ES2023"],
            module: "NodeNext",
            moduleResolution: "NodeNext",
            types: ["node"],
            strict: true,
            skipLibCheck: true,
          },
          files: [dts],
        },
      },
      apiReport: {
        enabled: true,
        reportFileName: entry.report,
        reportFolder,
        reportTempFolder: tempFolder,
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        extractorMessageReporting: {
          // fwd marks nothing @public/@beta: everything exported is public.
          "ae-missing-release-tag": { logLevel: "none" as never },
          "ae-forgotten-export": { logLevel: "warning" as never, addToApiReportFile: true },
        },
        // Doc comments are prose for editors, not TSDoc for a doc site.
        tsdocMessageReporting: { default: { logLevel: "none" as never } },
      },
    },
  });
  const errors: string[] = [];
  const result = Extractor.invoke(config, {
    localBuild: !check,
    messageCallback(message: ExtractorMessage) {
      message.handled = true;
      // Progress lines and the report-changed notes are ours to say; console errors are not.
      const console = message.category === ExtractorMessageCategory.Console;
      if (console && message.logLevel !== "error") return;
      const line = `${message.messageId}: ${message.text}`;
      if (message.logLevel === "error" || message.logLevel === "warning") errors.push(line);
    },
  });
  // Warnings marked addToApiReportFile go into the report instead of the callback.
  const built = readFileSync(join(tempFolder, `${entry.report}.api.md`), "utf8");
  const reportWarnings = built.match(/^\s*\/\/ Warning: .*$/gm)?.map((line) => line.trim()) ?? [];
  return { changed: result.apiReportChanged, reportWarnings, errors };
}

function main(argv: readonly string[]): number {
  const check = argv.includes("--check");
  let failed = false;
  for (const entry of entries) {
    const outcome = extract(entry, check);
    const where = `packages/${entry.pkg}/api/${entry.report}.api.md`;
    for (const line of outcome.errors) console.error(`api: ${entry.report}: error: ${line}`);
    if (outcome.errors.length > 0) failed = true;
    // A forgotten export is a type users meet but cannot name: the check fails on it.
    if (outcome.reportWarnings.length > 0) {
      console.error(`api: ${where} carries ${outcome.reportWarnings.length} warning(s):`);
      for (const line of outcome.reportWarnings) console.error(`  ${line}`);
      if (check) failed = true;
    }
    if (check && outcome.changed) {
      console.error(
        `api: ${where} differs from the built API: run "pnpm build && pnpm api" and commit the report`,
      );
      failed = true;
    } else if (!check) {
      console.log(`api: ${where}${outcome.changed ? " updated" : " unchanged"}`);
    }
  }
  return failed ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
