export { AgentClient } from "./agent-client.js";
export type {
  Attempt,
  FloodReport,
  Outcome,
  VisitOptions,
  VisitResult,
} from "./agents/protocol.js";
export {
  describeVisit,
  expectServed,
  NOT_YET,
  startTunnelBed,
  stderrTail,
  type TunnelBed,
  visitPublic,
} from "./bed.js";
export { now, sleep } from "./clock.js";
export { type NsProcess, rssOf } from "./ns-process.js";
export { checkNetns, type Readiness } from "./preconditions.js";
export { type Figure, freshResults, recordFigure, resultsFile, seconds } from "./results.js";
export { describeWithNetns } from "./suite.js";
export { ADDRESSES, HomeNat, type Host } from "./topology.js";
export {
  ensureFileLimit,
  PUBLIC_PORT,
  registered,
  rssMb,
  SERVER_PORT,
  type Started,
  startAgent,
  startClient,
  startServer,
  startTarget,
  TARGET_PORT,
} from "./tunnel.js";
