/**
 * Network namespaces named `fwdf-<pid>-<run>-<host>`: the pid of the test
 * process that made them, so parallel runs never collide and the leftovers
 * of a killed run (its pid gone) can be told apart and removed.
 */
import { randomBytes } from "node:crypto";
import { run, runSync } from "./command.js";

const PREFIX = "fwdf-";
const NAME = /^fwdf-(\d+)-[0-9a-f]+-[a-z]+$/;

/** A fresh prefix for one topology of this process. */
export function newRunPrefix(): string {
  return `${PREFIX}${process.pid}-${randomBytes(2).toString("hex")}`;
}

/** `ip -n NS …` */
export function ipIn(ns: string, args: readonly string[]): Promise<string> {
  return run("ip", ["-n", ns, ...args]);
}

/** Runs a tool inside a namespace: `ip netns exec NS file args`. */
export function execIn(ns: string, file: string, args: readonly string[]): Promise<string> {
  return run("ip", ["netns", "exec", ns, file, ...args]);
}

export async function listNamespaces(): Promise<string[]> {
  const out = await run("ip", ["netns", "list"]);
  return out
    .split("\n")
    .map((line) => line.split(" ")[0] ?? "")
    .filter(Boolean);
}

export async function addNamespace(name: string): Promise<void> {
  await run("ip", ["netns", "add", name]);
}

/** Pids of the processes living in a namespace. */
async function pidsIn(name: string): Promise<number[]> {
  const out = await run("ip", ["netns", "pids", name]).catch(() => "");
  return out.split(/\s+/).filter(Boolean).map(Number);
}

/**
 * Kills every process in the namespace (a namespace outlives its name while
 * one is left in it), then deletes it. Missing namespaces are fine.
 */
export async function removeNamespace(name: string): Promise<void> {
  for (let round = 0; round < 50; round++) {
    const pids = await pidsIn(name);
    if (pids.length === 0) break;
    for (const pid of pids) killQuietly(pid);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await run("ip", ["netns", "del", name]).catch((err: Error) => {
    if (!/No such file/.test(err.message)) throw err;
  });
}

/** Synchronous removal for process exit, when nothing can be awaited. */
export function removeNamespaceSync(name: string): void {
  try {
    const pids = runSync("ip", ["netns", "pids", name]).split(/\s+/).filter(Boolean);
    for (const pid of pids) killQuietly(Number(pid));
    runSync("ip", ["netns", "del", name]);
  } catch {
    // already gone, or the tools are: nothing more can be done at exit
  }
}

/** Removes the namespaces of earlier runs whose test process no longer exists. */
export async function removeStaleNamespaces(): Promise<string[]> {
  const stale = (await listNamespaces()).filter((name) => {
    const match = NAME.exec(name);
    return match !== null && !processAlive(Number(match[1]));
  });
  for (const name of stale) await removeNamespace(name);
  return stale;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // exited meanwhile
  }
}
