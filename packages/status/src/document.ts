/**
 * The state a running fwd program shows on its status page, /status.json and
 * /metrics. The CLI builds it from @fwd/core services; the status package
 * serves it. Times are ISO strings, byte counts are totals since start.
 */
export interface StatusDocument {
  /** The program: "tcp-forwarding", "user-server", "user-client", "multi-server", "multi-client". */
  program: string;
  version: string;
  pid: number;
  startedAt: string;
  /** When this document was made. */
  now: string;
  /** Client programs: the server they talk to (user-client, multi-client). */
  server?: ServerLinkStatus;
  /** Server programs: where they listen for clients and how they are protected. */
  listener?: ListenerStatus;
  /** One row per tunnel (clients, forwarders) or per public port (multi-server). */
  tunnels: TunnelStatus[];
  /** multi-server: each client id seen, with its address and the ports it owns. */
  clients?: ClientStatus[];
  /** Handshake failures by error code since start (servers). */
  handshakeFailures?: Record<string, number>;
}

export type TunnelState =
  /** Serving: listening (forwarders, user-client), registered (multi-client), open (public port). */
  | "up"
  /** Starting or reconnecting; not serving yet. */
  | "connecting"
  /** The far side cannot be reached; retrying. */
  | "down"
  /** The server refused (port taken, not allowed, wrong token). */
  | "refused"
  /** Stop requested: no new connections, open ones finishing. */
  | "draining"
  | "stopped";

export interface TunnelStatus {
  /**
   * The tunnel's name from the config file, or one derived from its ports.
   * Unique within a document: rates and metrics key on it.
   */
  name: string;
  kind: "forward" | "user-client" | "multi-client" | "public-port" | "user-server";
  state: TunnelState;
  stateSince: string;
  /** One human sentence on the state: "registered: public port 10086 reaches localhost:3389". */
  detail: string;
  /** Local listen address (forward, user-client) or the public port's address (public-port). */
  listen?: string;
  /** Where connections go, as "host:port". */
  target?: string;
  /** public-port: the client id that owns it and that client's address. */
  owner?: string;
  peer?: string;
  protocol?: "legacy" | "v2";
  /** multi-client / public-port: registrations waiting to be paired. */
  waitingRegistrations?: number;
  /**
   * multi-client / public-port: the public port on the server. Labels
   * fwd_registrations_waiting (the tunnel's name when absent). Added by @fwd/status.
   */
  publicPort?: number;
  /** public-port: visitors waiting for a registration. */
  heldVisitors?: number;
  /** user-client: authenticated links kept ready. */
  readyLinks?: number;
  /** Last heartbeat round trip on this tunnel's links, where heartbeats exist. */
  heartbeatRttMs?: number;
  connections: {
    active: number;
    /** Since start, by how they ended: "done", "error", "idle", "aborted", "closed", "failed" (never relayed). */
    total: Record<string, number>;
  };
  /** in: from the side that connected (visitor, local program) toward the target; out: back. */
  bytes: { in: number; out: number };
  /** Open connections (at most 100, newest first). */
  active: ConnectionStatus[];
  lastError?: { code: string; message: string; at: string };
}

export interface ConnectionStatus {
  id: number;
  /** Who connected: "203.0.113.5:50123". */
  remote: string;
  target?: string;
  startedAt: string;
  bytes: { in: number; out: number };
}

export interface ServerLinkStatus {
  address: string;
  state: TunnelState;
  protocol?: "legacy" | "v2";
  tls: boolean;
  heartbeatRttMs?: number;
  lastError?: { code: string; message: string; at: string };
}

export interface ListenerStatus {
  address: string;
  tls: boolean;
  token: boolean;
  /** Connections in their handshake now. */
  handshaking: number;
}

export interface ClientStatus {
  id: string;
  address: string;
  ports: string[];
  waitingRegistrations: number;
  connectedSince: string;
}

/** What the status server reads. The CLI implements it over the running services. */
export interface StatusProvider {
  /** The current state; called for each request and once a second for rates. */
  snapshot(): StatusDocument;
  /**
   * Connections that ended, for the duration histogram: the provider calls
   * `listener` once per relayed connection. Returns the undo.
   */
  onConnectionClosed(
    listener: (event: { tunnel: string; outcome: string; durationSeconds: number }) => void,
  ): () => void;
}

/*
 * What the status server adds to the provider's document on /status.json
 * and /events, computed from the snapshots it takes once a second.
 */

/** Bytes per second, averaged over the last few seconds. */
export interface TunnelRates {
  inBps: number;
  outBps: number;
}

/** Per-interval rates for sparklines, oldest first, the newest last. */
export interface RateHistory {
  /** Seconds between two points (1 unless the server was started otherwise). */
  intervalSeconds: number;
  /** The most points kept (300): a full sparkline spans capacity × intervalSeconds. */
  capacity: number;
  /** Bytes per second in each interval, at most 300 points (5 minutes). */
  in: number[];
  out: number[];
}

export interface LiveTunnelStatus extends TunnelStatus {
  rates: TunnelRates;
  history: RateHistory;
}

/** The document /status.json serves and /events sends once a second. */
export interface LiveStatusDocument extends Omit<StatusDocument, "tunnels"> {
  /** Seconds since `startedAt`, at `now`. */
  uptimeSeconds: number;
  tunnels: LiveTunnelStatus[];
}
