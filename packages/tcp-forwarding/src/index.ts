export {
  main,
  prepareForward,
  program,
  spec,
  type TcpForwardingFlags,
  toForwardOptions,
} from "./cli.js";
