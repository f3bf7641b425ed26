import { programNamed } from "./programs.js";

/** How the running process was started (the parts of `process` that name it). */
export interface ProcessNames {
  /** True inside a single executable application. */
  sea: boolean;
  /** The command as the caller typed it (`process.argv0`). */
  argv0: string;
  /** The executable's real path (`process.execPath`): symbolic links resolved. */
  execPath: string;
  /** The script under node (`process.argv[1]`): symbolic links kept. */
  script: string | undefined;
}

/**
 * The name fwd goes by, for picking a drop-in program. Under node it is the
 * script, as npm's bin links keep their own names there. In the single
 * executable it is the executable, but Linux resolves a symbolic link in
 * `execPath`, so a link named after a program is found through `argv0`.
 */
export function selfName(names: ProcessNames): string {
  if (!names.sea) return names.script ?? names.execPath;
  return programNamed(names.argv0) ? names.argv0 : names.execPath;
}
