export {
  main,
  spec,
  startTcpForwarding,
  type TcpForwardingFlags,
  toForwardOptions,
} from "./cli.js";
