import { defineConfig } from "tsup";
import { base, bins } from "../../tsup.config.base.ts";

export default defineConfig([
  { ...base, format: ["esm"], entry: ["src/index.ts"] },
  { ...bins, entry: { "bin/multi-client": "src/bin/multi-client.ts" } },
]);
