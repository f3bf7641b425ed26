import { ErrorCodes, FwdError } from "@fwd/core";
import { type ConfigProblem, formatPosition } from "./document.js";

/**
 * Everything wrong with a config file, found in one pass: bad usage
 * (ERR_FWD_INVALID_ARG, exit status 2). The message has one problem per
 * line, "FILE:LINE:COL: what is wrong", in file order; `problems` holds the
 * same lines for a caller that prints them one by one.
 */
export class ConfigError extends FwdError {
  readonly file: string;
  readonly problems: readonly string[];

  constructor(file: string, problems: readonly ConfigProblem[]) {
    const lines = [...problems]
      .sort((a, b) => a.at.line - b.at.line || a.at.column - b.at.column)
      .map((problem) => `${formatPosition(file, problem.at)}: ${problem.message}`);
    super(ErrorCodes.INVALID_ARG, lines.join("\n"));
    this.file = file;
    this.problems = lines;
  }
}
