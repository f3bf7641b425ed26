/**
 * Memory of forwarder processes, read from /proc: this part of the bench is
 * Linux-only. VmRSS for ordinary processes; for a forwarder that forks a
 * process per connection (socat), the proportional set size (Pss) summed over
 * its process tree, because summing RSS would count the shared pages of every
 * child again.
 */
import { readFileSync } from "node:fs";

export const procAvailable = (() => {
  try {
    readFileSync("/proc/self/status", "utf8");
    return true;
  } catch {
    return false;
  }
})();

function field(path: string, name: string): number {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return 0; // the process is gone (a socat child that just ended): it holds nothing
  }
  const match = text.match(new RegExp(`^${name}:\\s+(\\d+) kB`, "m"));
  return match ? Number(match[1]) : 0;
}

/** Resident set of one process, in KiB. */
export function rssKb(pid: number): number {
  return field(`/proc/${pid}/status`, "VmRSS");
}

/** The process and all its descendants (needs /proc/PID/task/TID/children). */
export function processTree(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i++) {
    try {
      const children = readFileSync(`/proc/${all[i]}/task/${all[i]}/children`, "utf8");
      for (const child of children.split(" ")) if (child.trim()) all.push(Number(child));
    } catch {
      // gone meanwhile
    }
  }
  return all;
}

/** Σ Pss over a process tree, in KiB. */
export function treePssKb(pid: number): number {
  let total = 0;
  for (const member of processTree(pid)) total += field(`/proc/${member}/smaps_rollup`, "Pss");
  return total;
}

export function sumRssKb(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) total += rssKb(pid);
  return total;
}
