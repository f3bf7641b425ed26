export {
  binPath,
  type ListeningBin,
  LOG_PREFIX,
  logLine,
  startListeningBin,
  tunnelPort,
} from "./bins.js";
export { makeCertificate, type TestCertificate } from "./certificates.js";
export { duplexPair } from "./duplex-pair.js";
export { freePort } from "./free-port.js";
export {
  inRepoLegacyPeerPath,
  type LegacyMode,
  type LegacyPeer,
  legacyPeerPath,
  legacyPeerRequired,
  referenceLegacyPeerMissing,
  referenceLegacyPeerPath,
  startLegacyPeer,
} from "./legacy-peer.js";
export { type CodeBlock, tsBlocks, typecheckExamples } from "./markdown-examples.js";
export { type RunningProcess, type StartOptions, startNode, startProcess } from "./processes.js";
export {
  type Received,
  startDigestServer,
  startDownloadServer,
  startEchoServer,
  startServer,
  type TestServer,
} from "./servers.js";
export { Teardown } from "./teardown.js";
export { type TempFiles, tempFiles } from "./temp-files.js";
export {
  connectTo,
  connectWithRetry,
  drainedOrClosed,
  echoWithoutEof,
  exchange,
  payload,
  readAll,
  sha256,
  waitUntil,
  writeAll,
} from "./traffic.js";
export { type DeadPort, startBlackhole, startRefusingPort } from "./unanswered.js";
