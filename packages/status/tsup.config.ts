import { defineConfig } from "tsup";
import { base } from "../../tsup.config.base.ts";

// ESM only: assets are found through import.meta.url.
export default defineConfig({ ...base, format: ["esm"], entry: ["src/index.ts"] });
