/** Whether an external tool is installed, asked once per tool. */
import { spawnSync } from "node:child_process";

const known = new Map<string, boolean>();

export function hasCommand(command: string, versionArgs: readonly string[]): boolean {
  let found = known.get(command);
  if (found === undefined) {
    const result = spawnSync(command, [...versionArgs], { stdio: "ignore", timeout: 5000 });
    found = !result.error && result.status === 0;
    known.set(command, found);
  }
  return found;
}
