/**
 * @fwd/core: TCP port forwarding and reverse tunnels as a library. The five
 * services (a local forward, the user pair, the multi pair), the relay under
 * them, listen and dial with coded errors, and the allowlists, tokens and
 * TLS helpers they take. Handshake codecs are in "@fwd/core/protocol".
 */
export { type Endpoint, formatEndpoint } from "./address.js";
export { PortAllowlist, type PortRange, TargetAllowlist } from "./allowlist.js";
export { resolveToken, Token, type TokenSources } from "./auth.js";
export type { BackoffOptions } from "./backoff.js";
export type { ProtocolChoice } from "./client-handshake.js";
export type { ActiveConnection, ConnectionEvents } from "./connection-hub.js";
export type { ConnectionInfo } from "./connection-info.js";
export { defaults } from "./defaults.js";
export { type DialOptions, dial } from "./dial.js";
export {
  ErrorCodes,
  FwdError,
  type FwdErrorCode,
  type FwdErrorOptions,
  fromSystemError,
  isFwdError,
  type SocketOperation,
} from "./errors.js";
export { Forwarder, type ForwardOptions, forward } from "./forward.js";
export { type ListenOptions, listen } from "./listen.js";
export {
  MultiClient,
  type MultiClientEvents,
  type MultiClientOptions,
  type MultiClientStatus,
  startMultiClient,
} from "./multi/multi-client.js";
export {
  MultiServer,
  type MultiServerEvents,
  type MultiServerOptions,
  type PublicPortStatus,
  startMultiServer,
} from "./multi/multi-server.js";
export type { PublicPortState } from "./multi/public-port.js";
export type { RegistrationState } from "./multi/registration-loop.js";
export {
  Relay,
  type RelayCloseReason,
  type RelayEvents,
  type RelayOptions,
  type RelaySummary,
  relay,
} from "./relay.js";
export { FwdService, type ServiceEvents, type ServiceState } from "./service.js";
export {
  type ClientTlsOptions,
  loadCa,
  loadServerTls,
  normalizeFingerprint,
  type ServerTlsFiles,
} from "./tls.js";
export type { ConnectionOutcome, TrafficCounters } from "./traffic.js";
export type { TunnelClientOptions, TunnelServerOptions } from "./tunnel-options.js";
export {
  startUserClient,
  UserClient,
  type UserClientOptions,
  type UserClientStatus,
} from "./user-client.js";
export { startUserServer, UserServer, type UserServerOptions } from "./user-server.js";
