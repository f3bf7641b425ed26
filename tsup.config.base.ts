import type { Options } from "tsup";

/** Shared build settings: each package spreads this in a three-line tsup.config.ts. */
export const base: Options = {
  format: ["esm", "cjs"],
  target: "node20",
  platform: "node",
  sourcemap: true,
  clean: true,
  // TypeScript 6 deprecates options that tsup's dts step still sets.
  dts: { compilerOptions: { ignoreDeprecations: "6.0" } },
};

/**
 * The library half of a package that also has bins: tsup builds both configs
 * at once, so this one must not clean away the bins the other is writing.
 */
export const beside: Options = {
  ...base,
  format: ["esm"],
  clean: ["**/*", "!bin", "!bin/**"],
};

/** Bins are ESM only (yargs 18 is ESM only) and start with a shebang. */
export const bins: Options = {
  ...base,
  format: ["esm"],
  dts: false,
  clean: false,
  banner: { js: "#!/usr/bin/env node" },
};
