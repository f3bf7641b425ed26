/**
 * CPU time of forwarder processes, read from /proc/<pid>/stat (Linux only):
 * user + system time of every thread, and of the children each has reaped,
 * summed over the whole process tree. A per-connection child (sshd, socat)
 * that ends between two readings moves its time into its parent's reaped
 * total, so the sum over the tree only grows.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { processTree } from "./proc-memory.ts";

/** Clock ticks per second of the /proc times (USER_HZ: 100 on every Linux we know). */
const ticksPerSecond = (() => {
  const result = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8", timeout: 5000 });
  const ticks = Number(result.stdout?.trim());
  return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
})();

/** utime + stime + cutime + cstime of one process, in ticks; 0 if it is gone. */
function processTicks(pid: number): number {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return 0;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count after it.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state); utime, stime, cutime, cstime are fields 14 to 17.
  return fields.slice(11, 15).reduce((sum, field) => sum + Number(field), 0);
}

/** CPU seconds used so far by these processes and all their descendants. */
export function treeCpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) for (const member of processTree(pid)) ticks += processTicks(member);
  return ticks / ticksPerSecond;
}
