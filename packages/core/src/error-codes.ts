/** The stable codes of every error fwd raises. */
export const ErrorCodes = {
  /** An option has a value fwd cannot use. */
  INVALID_ARG: "ERR_FWD_INVALID_ARG",
  /** A call that the object's state does not allow (address() before start, start() twice). */
  INVALID_STATE: "ERR_FWD_INVALID_STATE",
  /** The listen address is taken by another socket. */
  ADDR_IN_USE: "ERR_FWD_ADDR_IN_USE",
  /** The listen address does not belong to this machine. */
  ADDR_NOT_AVAILABLE: "ERR_FWD_ADDR_NOT_AVAILABLE",
  /** The OS refused to bind (privileged port, firewall policy). */
  PERMISSION_DENIED: "ERR_FWD_PERMISSION_DENIED",
  /** Nothing listens at the address dialed. */
  CONN_REFUSED: "ERR_FWD_CONN_REFUSED",
  /** The peer reset the connection. */
  CONN_RESET: "ERR_FWD_CONN_RESET",
  /** DNS has no address for the host. */
  HOST_NOT_FOUND: "ERR_FWD_HOST_NOT_FOUND",
  /** No route to the host or network. */
  NETWORK_UNREACHABLE: "ERR_FWD_NETWORK_UNREACHABLE",
  /** A connect, handshake or idle period ran out of time. */
  TIMEOUT: "ERR_FWD_TIMEOUT",
  /** The operation was cancelled through an AbortSignal, close() or destroy(). */
  ABORTED: "ERR_FWD_ABORTED",
  /** The peer sent bytes that are not a valid handshake frame. */
  PROTOCOL: "ERR_FWD_PROTOCOL",
  /** A handshake frame exceeded its size limit. */
  FRAME_TOO_LARGE: "ERR_FWD_FRAME_TOO_LARGE",
  /** The connection ended before the handshake completed. */
  HANDSHAKE_CLOSED: "ERR_FWD_HANDSHAKE_CLOSED",
  /** The server answered the handshake with a refusal, or a limit turned the connection away. */
  REFUSED: "ERR_FWD_REFUSED",
  /** The peer presented a token that does not match. */
  AUTH_FAILED: "ERR_FWD_AUTH_FAILED",
  /** The requested target is outside the server's allowlist. */
  TARGET_NOT_ALLOWED: "ERR_FWD_TARGET_NOT_ALLOWED",
  /** The requested public port is outside the server's allowlist. */
  PORT_NOT_ALLOWED: "ERR_FWD_PORT_NOT_ALLOWED",
  /** The peer speaks a protocol version this side does not. */
  UNSUPPORTED_VERSION: "ERR_FWD_UNSUPPORTED_VERSION",
  /** The TLS layer failed: certificate, fingerprint or negotiation. */
  TLS: "ERR_FWD_TLS",
  /** Any other socket failure, with the system error as `cause`. */
  NETWORK: "ERR_FWD_NETWORK",
} as const;

export type FwdErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];
