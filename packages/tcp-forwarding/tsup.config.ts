import { defineConfig } from "tsup";
import { beside, bins } from "../../tsup.config.base.ts";

export default defineConfig([
  { ...beside, entry: ["src/index.ts"] },
  { ...bins, entry: { "bin/tcp-forwarding": "src/bin/tcp-forwarding.ts" } },
]);
