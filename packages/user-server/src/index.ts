export {
  main,
  spec,
  startUserServerCli,
  toUserServerOptions,
  type UserServerFlags,
} from "./cli.js";
