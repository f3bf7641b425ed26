/**
 * fwd: the five fwd programs behind one command, as the single executable
 * and the `fwd` bin run them.
 */
export { helpText } from "./help.js";
export { type Choice, pickProgram } from "./pick.js";
export { commandName, PROGRAMS, type Program, type ProgramMain, programNamed } from "./programs.js";
export { type FwdIo, RELEASE_VERSION, runFwd } from "./run.js";
export { type ProcessNames, selfName } from "./self-name.js";
