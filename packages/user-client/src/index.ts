export {
  main,
  prepareUserClient,
  program,
  serverStatus,
  spec,
  toUserClientOptions,
  type UserClientFlags,
  type UserClientTunnel,
} from "./cli.js";
export { type LinkState, ServerLinkWatch } from "./server-link.js";
