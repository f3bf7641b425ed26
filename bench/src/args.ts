/** Command line: pnpm bench [--quick] [--reps N] [--only key,key] [--no-memory] [--help]. */
import { fullPlan, type Plan, quickPlan } from "./plan.ts";

export interface Args {
  plan: Plan;
  /** Configuration keys to run (direct always runs: every ratio needs it). */
  only?: string[];
}

export const usage = `usage: pnpm bench [--quick] [--reps N] [--only KEY,KEY...] [--no-memory]

  --quick      a smoke run of a few seconds per configuration (CI)
  --reps N     repetitions of the rotating phase (default 5; quick: 1)
  --only KEYS  only these configurations (direct is always measured)
  --no-memory  skip the two memory figures (the slowest part)`;

export function parseArgs(argv: readonly string[]): Args | "help" {
  let plan = fullPlan;
  let reps: number | undefined;
  let only: string[] | undefined;
  let memory = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.split("=", 2) as [string, string | undefined];
    const value = () => inline ?? argv[++i] ?? "";
    if (name === "--quick") plan = quickPlan;
    else if (name === "--reps") reps = Number(value());
    else if (name === "--only") only = value().split(",").filter(Boolean);
    else if (name === "--no-memory") memory = false;
    else if (name === "--help" || name === "-h") return "help";
    else if (name === "--")
      continue; // pnpm passes it through
    else throw new Error(`unknown argument ${arg}\n${usage}`);
  }
  if (reps !== undefined) {
    if (!Number.isInteger(reps) || reps < 1 || reps > 50) throw new Error("--reps takes 1 to 50");
    plan = { ...plan, reps };
  }
  if (!memory) plan = { ...plan, memoryReps: 0 };
  return only ? { plan, only } : { plan };
}
