import { defineConfig } from "tsup";
import { base } from "../../tsup.config.base.ts";

export default defineConfig({
  ...base,
  entry: { index: "src/index.ts", protocol: "src/protocol.ts" },
  // Members tagged @internal stay out of the published types.
  dts: { compilerOptions: { ignoreDeprecations: "6.0", stripInternal: true } },
});
