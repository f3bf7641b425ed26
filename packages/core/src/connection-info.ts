/** What a service knows of one connection it serves, as it tells it in events. */
export interface ConnectionInfo {
  /** Sequence number within this service, from 1. */
  readonly id: number;
  /** The peer's address, `host:port`. */
  readonly remote: string;
  /** Where the connection is relayed to, once known, `host:port`. */
  readonly target?: string | undefined;
  /** The unique id the peer sent in its handshake, if any. */
  readonly clientId?: string | undefined;
  /** When the connection was taken on (ms since the epoch). */
  readonly startedAt: number;
}

/** A service's own record of a connection: filled in as the handshake learns more. */
export interface ConnectionRecord {
  id: number;
  remote: string;
  target?: string | undefined;
  clientId?: string | undefined;
  startedAt: number;
}

/** A frozen copy for listeners: what was emitted never changes afterwards. */
export function snapshotOf(record: ConnectionRecord): ConnectionInfo {
  return Object.freeze({ ...record });
}
