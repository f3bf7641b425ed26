export {
  describeState,
  type MultiClientFlags,
  type MultiClientTunnel,
  main,
  prepareMultiClient,
  program,
  serverStatus,
  spec,
  toMultiClientOptions,
} from "./cli.js";
