import { defineConfig } from "tsup";
import { beside, bins } from "../../tsup.config.base.ts";

// node:sea exists only with its prefix, which tsup strips by default.
export default defineConfig([
  { ...beside, entry: ["src/index.ts"] },
  { ...bins, removeNodeProtocol: false, entry: { "bin/fwd": "src/bin/fwd.ts" } },
]);
