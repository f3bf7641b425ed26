import { defineConfig } from "tsup";
import { beside, bins } from "../../tsup.config.base.ts";

export default defineConfig([
  { ...beside, entry: ["src/index.ts"] },
  { ...bins, entry: { "bin/multi-client": "src/bin/multi-client.ts" } },
]);
