export {
  type MultiServerFlags,
  main,
  spec,
  startMultiServerCli,
  toMultiServerOptions,
} from "./cli.js";
