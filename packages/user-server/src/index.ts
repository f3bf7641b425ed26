export {
  main,
  prepareUserServer,
  program,
  spec,
  toUserServerOptions,
  type UserServerFlags,
  type UserServerTunnel,
} from "./cli.js";
