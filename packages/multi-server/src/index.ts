export {
  type MultiServerFlags,
  type MultiServerTunnel,
  main,
  prepareMultiServer,
  program,
  serverSummary,
  spec,
  toMultiServerOptions,
} from "./cli.js";
export { clientsOf, PublicPortRows } from "./public-ports.js";
