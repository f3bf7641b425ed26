import { defineConfig } from "tsup";
import { beside, bins } from "../../tsup.config.base.ts";

export default defineConfig([
  { ...beside, entry: ["src/index.ts"] },
  { ...bins, entry: { "bin/user-server": "src/bin/user-server.ts" } },
]);
