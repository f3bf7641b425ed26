import { execFile } from "node:child_process";

/** Runs a build tool; on failure throws with its output, which success keeps quiet. */
export function runTool(
  command: string,
  args: readonly string[],
  options: { cwd?: string; what: string },
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      [...args],
      { cwd: options.cwd, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
        const why = missing ? `${command} is not installed` : `${stdout}${stderr}`.trim();
        reject(new Error(`${options.what} failed: ${why}`));
      },
    );
  });
}
