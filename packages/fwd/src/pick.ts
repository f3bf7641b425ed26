import { type Program, programNamed } from "./programs.js";

/** What `fwd` does with a command line. */
export type Choice =
  /** Run `program` with `argv` (the subcommand, if any, taken off). */
  | { kind: "run"; program: Program; argv: readonly string[] }
  | { kind: "help" }
  | { kind: "version" }
  /** Bad usage: print `message` (one line) and exit 2. */
  | { kind: "usage"; message: string };

const HINT = "fwd --help lists the programs";

/**
 * Picks the program to run. A copy of fwd named after a program (any bin name
 * of the five packages) is that program, whatever its arguments; otherwise the
 * first argument names it: `fwd multi-client --server_host …`.
 */
export function pickProgram(execName: string, argv: readonly string[]): Choice {
  const dropIn = programNamed(execName);
  if (dropIn) return { kind: "run", program: dropIn, argv };

  const [first, ...rest] = argv;
  if (first === undefined) {
    return { kind: "usage", message: `name a program: fwd <program> [flags]; ${HINT}` };
  }
  if (first === "--help" || first === "-h" || first === "help") {
    if (first === "help" && rest[0] !== undefined) {
      const program = programNamed(rest[0]);
      return program
        ? { kind: "run", program, argv: ["--help"] }
        : { kind: "usage", message: `unknown program "${rest[0]}"; ${HINT}` };
    }
    return { kind: "help" };
  }
  if (first === "--version" || first === "-v") return { kind: "version" };
  if (first.startsWith("-")) {
    return {
      kind: "usage",
      message: `unknown flag ${first}: name a program first (fwd <program> [flags]); ${HINT}`,
    };
  }
  const program = programNamed(first);
  if (!program) return { kind: "usage", message: `unknown program "${first}"; ${HINT}` };
  return { kind: "run", program, argv: rest };
}
