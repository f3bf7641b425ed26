/** Options both tunnel clients, and both tunnel servers, take. */
import type { SecureContext } from "node:tls";
import type { Endpoint } from "./address.js";
import type { Token } from "./auth.js";
import type { ProtocolChoice } from "./client-handshake.js";
import type { ClientTlsOptions } from "./tls.js";

export interface TunnelClientOptions {
  /** The server. */
  server: Endpoint;
  /** The target, as the side that connects to it sees it. */
  target: Endpoint;
  /** Up to 16 characters, left-padded with "0" (default: 16 zeros). */
  uniqueId?: string | undefined;
  /** "auto" (default): v2, falling back to legacy against a legacy server (never with a token). */
  protocol?: ProtocolChoice | undefined;
  /** Prove this token to the server (v2). */
  token?: Token | undefined;
  /** Speak TLS to the server (and so through every tunnel to it). */
  tls?: ClientTlsOptions | undefined;
  /** Give up connecting after this long (default 10 s). */
  connectTimeoutMs?: number | undefined;
  /** Give up waiting for the server's answer after this long (default 10 s). */
  handshakeTimeoutMs?: number | undefined;
  /** Close a relayed connection after this long without a byte either way. */
  idleTimeoutMs?: number | undefined;
  /** Heartbeats on idle v2 links, this often; a silent server is given up after three (default 2 s; 0: none). */
  heartbeatIntervalMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

export interface TunnelServerOptions {
  /** Where clients connect. */
  bind: Endpoint;
  /** A client that has not sent its whole request by then is dropped (default 10 s). */
  handshakeTimeoutMs?: number | undefined;
  /** Close a relayed connection after this long without a byte either way. */
  idleTimeoutMs?: number | undefined;
  /** Require this token (v2 only: legacy clients are then refused). */
  token?: Token | undefined;
  /** Speak TLS to clients. */
  tls?: SecureContext | undefined;
  /** New connections are turned away while this many handshakes are in progress (default 256). */
  maxHandshakes?: number | undefined;
  /** …and while this many from one source are (default 32). */
  maxHandshakesPerSource?: number | undefined;
  /** A client that has not sent its first byte by then is closed (default 5 s). */
  firstByteTimeoutMs?: number | undefined;
  /** Heartbeats on idle v2 links, this often; a silent client is dropped after three (default 2 s; 0: none). */
  heartbeatIntervalMs?: number | undefined;
  signal?: AbortSignal | undefined;
}
