export {
  checkEndpoint,
  checkHost,
  checkPort,
  type Endpoint,
  formatEndpoint,
  formatSocketAddress,
} from "./address.js";
export { type ChunkReader, type ChunkSink, readerOf } from "./chunk-reader.js";
export { DEFAULT_CONNECT_TIMEOUT_MS, type DialOptions, dial } from "./dial.js";
export {
  ErrorCodes,
  FwdError,
  type FwdErrorCode,
  fromSystemError,
  invalidArg,
  isFwdError,
} from "./errors.js";
export { Forwarder, type ForwardOptions, forward } from "./forward.js";
export { closeServer, type ListenOptions, listen } from "./listen.js";
export { largeReadBuffers } from "./read-buffers.js";
export {
  Relay,
  type RelayCloseReason,
  type RelayEvents,
  type RelayOptions,
  type RelaySummary,
  relay,
} from "./relay.js";
export { type ConnectionInfo, type ServiceEvents, TcpService } from "./service.js";
export { adoptSocket, canAdopt, connectSocket, isZeroCopyEnabled, setZeroCopy } from "./sockets.js";
export type { TrafficCounters } from "./traffic.js";
