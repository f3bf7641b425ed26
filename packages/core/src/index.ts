export { type Endpoint, formatEndpoint, formatSocketAddress } from "./address.js";
export { PortAllowlist, type PortRange, TargetAllowlist } from "./allowlist.js";
export { resolveToken, Token, type TokenSources } from "./auth.js";
export { Backoff, type BackoffOptions } from "./backoff.js";
export { type ChunkReader, type ChunkSink, readerOf } from "./chunk-reader.js";
export {
  type ClientRequest,
  chooseProtocol,
  isFatalHandshakeError,
  type ProtocolChoice,
} from "./client-handshake.js";
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
export {
  decodeChallenge,
  decodeHello,
  decodePaired,
  decodeReply,
  decodeRequest,
  encodeChallenge,
  encodeFrame,
  encodeHello,
  encodePaired,
  encodeReply,
  encodeRequest,
  FrameType,
  ReplyCode,
  type ReplyName,
  replyFields,
  requestFields,
  V2_MAX_BODY,
  V2_VERSION,
  type V2Frame,
  V2FrameParser,
  type V2Reply,
  type V2Request,
} from "./protocol/v2.js";
export { largeReadBuffers } from "./read-buffers.js";
export {
  Relay,
  type RelayCloseReason,
  type RelayEvents,
  type RelayOptions,
  type RelaySummary,
  relay,
} from "./relay.js";
export { acceptHandshake, type ServerHandshake } from "./server-handshake.js";
export { type ServiceListenOptions, TcpService } from "./service.js";
export { adoptSocket, canAdopt, connectSocket, isZeroCopyEnabled, setZeroCopy } from "./sockets.js";
export {
  type ClientTlsOptions,
  loadCa,
  loadServerTls,
  normalizeFingerprint,
  type ServerTlsFiles,
} from "./tls.js";
export type { TrafficCounters } from "./traffic.js";
export type { TunnelClientOptions, TunnelServerOptions } from "./tunnel-options.js";
export { startUserClient, UserClient, type UserClientOptions } from "./user-client.js";
export {
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_MAX_HANDSHAKES,
  startUserServer,
  UserServer,
  type UserServerOptions,
} from "./user-server.js";
