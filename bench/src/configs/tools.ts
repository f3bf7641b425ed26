/** Whether an external tool is installed, asked once per tool. */
import { spawnSync } from "node:child_process";

const known = new Map<string, boolean>();

/** True if `command versionArgs` runs and exits 0. */
export function hasCommand(command: string, versionArgs: readonly string[]): boolean {
  let found = known.get(command);
  if (found === undefined) {
    const result = spawnSync(command, [...versionArgs], { stdio: "ignore", timeout: 5000 });
    found = !result.error && result.status === 0;
    known.set(command, found);
  }
  return found;
}

/** True if `command` can be started at all, whatever it exits with (ssh-keygen has no --version). */
export function hasProgram(command: string, probeArgs: readonly string[] = []): boolean {
  const key = `run:${command}`;
  let found = known.get(key);
  if (found === undefined) {
    const result = spawnSync(command, [...probeArgs], { stdio: "ignore", timeout: 5000 });
    found = (result.error as NodeJS.ErrnoException | undefined)?.code !== "ENOENT";
    known.set(key, found);
  }
  return found;
}

/**
 * The first of `commands` that is installed (Debian names stunnel's binary
 * stunnel4, most others stunnel), or undefined.
 */
export function firstInstalled(
  commands: readonly string[],
  versionArgs: readonly string[],
): string | undefined {
  return commands.find((command) => hasCommand(command, versionArgs));
}

/** The line a skipped configuration prints: which program is missing and how to get it. */
export function missingProgram(programs: string, aptPackages: string): string {
  return `${programs} not installed (apt-get install -y ${aptPackages})`;
}
