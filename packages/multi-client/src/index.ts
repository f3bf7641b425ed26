export {
  describeState,
  type MultiClientFlags,
  main,
  spec,
  startMultiClientCli,
  toMultiClientOptions,
} from "./cli.js";
