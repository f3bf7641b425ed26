import { PROGRAMS } from "./programs.js";

/** The text of `fwd --help`: one line per program, then the drop-in names. */
export function helpText(version: string): string {
  const width = Math.max(...PROGRAMS.map((program) => program.name.length));
  const lines = PROGRAMS.map((program) => `  ${program.name.padEnd(width)}  ${program.line}`);
  const dropIns = PROGRAMS.flatMap((program) => program.bins.filter((bin) => bin.includes("_")));
  return [
    `fwd ${version}: TCP port forwarding and reverse tunnels, five programs in one.`,
    "",
    "Usage: fwd <program> [flags]        (fwd <program> --help shows its flags)",
    "       fwd --help | --version",
    "",
    "Programs:",
    ...lines,
    "",
    "A copy of fwd named after a program (or any of its legacy names, with or",
    "without .exe) runs that program directly:",
    ...wrap(dropIns, 76).map((line) => `  ${line}`),
    "",
  ].join("\n");
}

/** Joins names with ", " into lines of at most `width` characters. */
function wrap(names: readonly string[], width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const name of names) {
    const next = line ? `${line}, ${name}` : name;
    if (line && next.length > width) {
      lines.push(`${line},`);
      line = name;
    } else {
      line = next;
    }
  }
  if (line) lines.push(line);
  return lines;
}
