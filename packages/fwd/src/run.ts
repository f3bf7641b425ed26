import pkg from "../package.json" with { type: "json" };
import { helpText } from "./help.js";
import { pickProgram } from "./pick.js";

/** The release version: every program prints it, not its own package's. */
export const RELEASE_VERSION: string = pkg.version;

export interface FwdIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: FwdIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/**
 * Runs fwd as `execName` (see selfName()) with `argv`; resolves with the exit
 * status: the program's own, or 0 for help and version, 2 for bad usage.
 */
export async function runFwd(
  execName: string,
  argv: readonly string[],
  io: FwdIo = processIo,
  version: string = RELEASE_VERSION,
): Promise<number> {
  const choice = pickProgram(execName, argv);
  switch (choice.kind) {
    case "help":
      io.stdout(helpText(version));
      return 0;
    case "version":
      io.stdout(`${version}\n`);
      return 0;
    case "usage":
      io.stderr(`fwd: ${choice.message}\n`);
      return 2;
    case "run": {
      const main = await choice.program.load();
      return main(choice.argv, { version });
    }
  }
}
