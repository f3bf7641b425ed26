import { isSea } from "node:sea";
import { runFwd } from "../run.js";
import { selfName } from "../self-name.js";

// No top-level await: the single executable runs this file bundled as CommonJS.
const name = selfName({
  sea: isSea(),
  argv0: process.argv0,
  execPath: process.execPath,
  script: process.argv[1],
});
runFwd(name, process.argv.slice(2)).then(
  (status) => process.exit(status),
  (err: unknown) => {
    console.error(`fwd: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
