/**
 * A live status page, /status.json, /events and Prometheus /metrics for a
 * running fwd program. The program implements StatusProvider over its
 * services; startStatusServer serves it.
 */
export { formatHostPort, isLoopbackHost, statusExposureWarning } from "./access.js";
export type {
  ClientStatus,
  ConnectionStatus,
  ListenerStatus,
  LiveStatusDocument,
  LiveTunnelStatus,
  RateHistory,
  ServerLinkStatus,
  StatusDocument,
  StatusProvider,
  TunnelRates,
  TunnelState,
  TunnelStatus,
} from "./document.js";
export { DURATION_BUCKETS } from "./metrics.js";
export { type StatusServer, type StatusServerOptions, startStatusServer } from "./server.js";
