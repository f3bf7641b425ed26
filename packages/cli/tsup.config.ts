import { defineConfig } from "tsup";
import { base } from "../../tsup.config.base.ts";

// ESM only: yargs 18 is ESM only.
export default defineConfig({ ...base, format: ["esm"], entry: ["src/index.ts"] });
