export { binPath, type ListeningBin, startListeningBin } from "./bins.js";
export { type RunningProcess, type StartOptions, startNode, startProcess } from "./processes.js";
export {
  type Received,
  startDigestServer,
  startEchoServer,
  startServer,
  type TestServer,
} from "./servers.js";
export { connectTo, exchange, payload, readAll, sha256, waitUntil, writeAll } from "./traffic.js";
