export {
  checkEndpoint,
  checkHost,
  checkPort,
  type Endpoint,
  formatEndpoint,
  formatSocketAddress,
} from "./address.js";
export { Backoff, type BackoffOptions } from "./backoff.js";
export { type ChunkReader, type ChunkSink, readerOf } from "./chunk-reader.js";
export { ConnectionHub, type ConnectionInfo, type ServiceEvents } from "./connection-hub.js";
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
export { type ReadFrameOptions, readFrame } from "./handshake.js";
export { closeServer, type ListenOptions, listen } from "./listen.js";
export {
  DEFAULT_REGISTER_TIMEOUT_MS,
  MultiClient,
  type MultiClientEvents,
  type MultiClientOptions,
  startMultiClient,
} from "./multi/multi-client.js";
export {
  MultiServer,
  type MultiServerOptions,
  type PublicPortStatus,
  startMultiServer,
} from "./multi/multi-server.js";
export {
  RegistrationLoop,
  type RegistrationOutcome,
  type RegistrationState,
} from "./multi/registration-loop.js";
export type { FrameParser, Parsed } from "./protocol/frame-parser.js";
export {
  decodeLegacyRequest,
  encodeLegacyReply,
  encodeLegacyRequest,
  LEGACY_EX,
  LEGACY_ID_SIZE,
  LEGACY_OK,
  LEGACY_REPLY_SIZE,
  LEGACY_REQUEST_SIZE,
  type LegacyReply,
  LegacyReplyParser,
  type LegacyRequest,
  LegacyRequestParser,
  padUniqueId,
} from "./protocol/legacy.js";
export { largeReadBuffers } from "./read-buffers.js";
export {
  Relay,
  type RelayCloseReason,
  type RelayEvents,
  type RelayOptions,
  type RelaySummary,
  relay,
} from "./relay.js";
export { TcpService } from "./service.js";
export { adoptSocket, canAdopt, connectSocket, isZeroCopyEnabled, setZeroCopy } from "./sockets.js";
export type { TrafficCounters } from "./traffic.js";
export { startUserClient, UserClient, type UserClientOptions } from "./user-client.js";
export {
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  startUserServer,
  UserServer,
  type UserServerOptions,
} from "./user-server.js";
