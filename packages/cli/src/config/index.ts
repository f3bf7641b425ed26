/** Config files: load and check, merge with the command line, diff for reload, watch, schema. */
export { ConfigError } from "./config-error.js";
export { type ConfigDiff, type DiffOptions, diffConfigs } from "./diff.js";
export type { ConfigProblem, SourcePosition } from "./document.js";
export { fromCommandLine, type Invocation, readInvocation } from "./invocation.js";
export { checkConfig, loadConfig, parseConfig, readConfigFile } from "./load.js";
export { configReference, withReference } from "./reference.js";
export type { CommandLine, Origins, ResolvedConfig, ResolvedTunnel } from "./resolve.js";
export { configSchema, type JsonSchema } from "./schema.js";
export { type WatchOptions, watchConfigFile } from "./watch.js";
