/**
 * Figures the fault tests measure: one line each on the console, and all of
 * them in test-results/faults.json (started afresh by each run of the
 * project, see test/global-setup.ts) for the docs to quote.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { resultsDir } from "./paths.js";

export const resultsFile = join(resultsDir, "faults.json");

export interface Figure {
  /** "server restart", "WAN blackout", … */
  scenario: string;
  /** What was measured, as a sentence fragment with the value in it. */
  text: string;
  /** The measured value; null when it never happened within the test's bound. */
  value: number | null;
  unit: "s" | "MB" | "count";
  /** The target, e.g. "≤ 1 s"; absent for figures that are only reported. */
  target?: string;
  met?: boolean;
  /** Which try, under which condition. */
  note?: string;
}

export interface FaultsFile {
  startedAt: string;
  node: string;
  kernel: string;
  figures: Array<Figure & { at: string }>;
}

export function freshResults(kernel: string): void {
  const file: FaultsFile = {
    startedAt: new Date().toISOString(),
    node: process.version,
    kernel,
    figures: [],
  };
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(resultsFile, `${JSON.stringify(file, null, 2)}\n`);
}

/** Prints `fault: <scenario> → <text> (<note>) [target …: met]` and appends it to faults.json. */
export function recordFigure(figure: Figure): void {
  const note = figure.note ? ` (${figure.note})` : "";
  const verdict =
    figure.target === undefined
      ? ""
      : ` [target ${figure.target}: ${figure.met ? "met" : "MISSED"}]`;
  console.log(`fault: ${figure.scenario} → ${figure.text}${note}${verdict}`);
  let file: FaultsFile;
  try {
    file = JSON.parse(readFileSync(resultsFile, "utf8")) as FaultsFile;
  } catch {
    file = { startedAt: new Date().toISOString(), node: process.version, kernel: "", figures: [] };
  }
  file.figures.push({ ...figure, at: new Date().toISOString() });
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(resultsFile, `${JSON.stringify(file, null, 2)}\n`);
}

/** "0.42 s" */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
