/**
 * What the test process and an agent in a namespace say to each other: one
 * JSON object per line, requests on the agent's stdin, answers on its stdout.
 *
 *   → {"id":1,"op":"visit","host":"198.51.100.2","port":10086}
 *   ← {"id":1,"event":{…}}     (zero or more, for ops that report progress)
 *   ← {"id":1,"result":{…}}    or {"id":1,"error":"…"}
 *
 * Times are now() stamps (epoch milliseconds, shared by every process).
 */

/** How one connection attempt ended. "closed" with received 0 is a connection closed empty. */
export type Outcome =
  | "served"
  | "refused"
  | "closed"
  | "reset"
  | "timeout"
  | "corrupt"
  | "unreachable"
  | "error";

export interface Attempt {
  outcome: Outcome;
  startedAt: number;
  /** When TCP connected, if it did. */
  connectedAt?: number;
  endedAt: number;
  /** Bytes that came back before it ended. */
  received: number;
  /** The system error code or what was odd. */
  detail?: string;
}

export interface VisitOptions {
  host: string;
  port: number;
  /** Bytes sent and expected back (default 16 KiB). */
  bytes?: number;
  /** One attempt gives up after this long (default 10 s). */
  attemptTimeoutMs?: number;
  /** Outcomes after which the visitor tries again (default none). */
  retryOn?: Outcome[];
  /** No attempt starts after this long since the visit began (default: one attempt's timeout). */
  deadlineMs?: number;
  /** Pause between attempts (default 25 ms). */
  intervalMs?: number;
  /** At most this many attempts (default 1000). */
  maxAttempts?: number;
}

export interface VisitResult {
  /** The last attempt's outcome. */
  outcome: Outcome;
  startedAt: number;
  endedAt: number;
  attempts: number;
  last: Attempt;
  /** How many attempts ended each way. */
  counts: Partial<Record<Outcome, number>>;
}

export interface DownloadOptions {
  host: string;
  port: number;
  /** Report a "progress" event once this many bytes arrived. */
  progressBytes: number;
  timeoutMs: number;
}

export interface DownloadEvent {
  bytes: number;
  at: number;
}

export interface DownloadResult {
  /** "ended": the stream ended (FIN); "reset", "timeout", …: otherwise. */
  outcome: "ended" | Outcome;
  bytes: number;
  startedAt: number;
  endedAt: number;
  detail?: string;
}

export interface FloodOptions {
  host: string;
  port: number;
  count: number;
  /** Connects in progress at once. */
  concurrency: number;
  connectTimeoutMs: number;
  /** Sustain the flood: reopen each connection the server closes after this long. */
  reopenDelayMs?: number;
  /** Connection attempts in all, reopens included (default: no reopens). */
  maxOpens?: number;
}

export interface FloodReport {
  /** Connection attempts so far. */
  attempts: number;
  /** Connections that connected. */
  opened: number;
  /** Connections that did not connect. */
  failed: number;
  /** Connected ones the server closed. */
  closedByPeer: number;
  /** Open now (release(): open when it was called). */
  open: number;
  at: number;
}

export interface GarbageOptions {
  host: string;
  port: number;
  connections: number;
  /** Random bytes per connection (after a prefix that varies by connection). */
  bytes: number;
  concurrency: number;
  /** How long a connection stays open after its garbage, unless the server closes it sooner. */
  lingerMs: number;
}

export interface GarbageReport {
  connected: number;
  failed: number;
  /** Connections the server closed within the linger time. */
  closedByPeer: number;
  /** Bytes the server sent back (on the public port: the target's echo of the garbage). */
  bytesBack: number;
}

export interface SessionOptions {
  host: string;
  port: number;
  timeoutMs: number;
}

/** Every op: its options and its result. */
export interface Ops {
  visit: [VisitOptions, VisitResult];
  download: [DownloadOptions, DownloadResult];
  flood: [FloodOptions, FloodReport];
  release: [Record<string, never>, FloodReport];
  garbage: [GarbageOptions, GarbageReport];
  /** Opens a connection kept for echo(): resolves with its number. */
  open: [SessionOptions, { session: number; at: number }];
  /** One round trip on an open connection. */
  echo: [{ session: number; bytes: number; timeoutMs: number }, Attempt];
  close: [{ session: number }, { closed: boolean }];
}

export type OpName = keyof Ops;
export type Request = { id: number; op: OpName } & Record<string, unknown>;
export type Reply =
  | { id: number; result: unknown }
  | { id: number; error: string }
  | { id: number; event: unknown };
