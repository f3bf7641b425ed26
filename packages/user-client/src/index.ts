export {
  main,
  spec,
  startUserClientCli,
  toUserClientOptions,
  type UserClientFlags,
} from "./cli.js";
