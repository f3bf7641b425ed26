import { defineConfig } from "tsup";
import { base } from "../../tsup.config.base.ts";

// The ./cli entry is exported as ESM only (yargs is ESM only).
export default defineConfig({
  ...base,
  entry: { index: "src/index.ts", "cli/index": "src/cli/index.ts" },
});
