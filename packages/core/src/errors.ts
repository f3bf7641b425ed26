/**
 * Coded errors. Every failure a user can hit is an FwdError with a stable
 * `code` and a one-line message that says what to do about it.
 */

export const ErrorCodes = {
  /** A flag or option has a value fwd cannot use. */
  INVALID_ARG: "ERR_FWD_INVALID_ARG",
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
  /** The operation was cancelled through an AbortSignal or close(). */
  ABORTED: "ERR_FWD_ABORTED",
  /** The peer sent bytes that are not a valid handshake frame. */
  PROTOCOL: "ERR_FWD_PROTOCOL",
  /** A handshake frame exceeded its size limit. */
  FRAME_TOO_LARGE: "ERR_FWD_FRAME_TOO_LARGE",
  /** The connection ended before the handshake completed. */
  HANDSHAKE_CLOSED: "ERR_FWD_HANDSHAKE_CLOSED",
  /** The server answered the handshake with a refusal. */
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

export interface FwdErrorOptions {
  cause?: unknown;
  /** The system error code behind this error (ECONNREFUSED, …), if any. */
  errno?: string;
}

/** Marks FwdErrors across copies of this module (two bundles, two installed versions). */
const kFwdError = Symbol.for("fwd.error");

export class FwdError extends Error {
  override readonly name = "FwdError";
  readonly [kFwdError] = true;
  readonly code: FwdErrorCode;
  readonly errno: string | undefined;

  constructor(code: FwdErrorCode, message: string, options: FwdErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.errno = options.errno ?? systemCode(options.cause);
  }

  /** Process exit status for this error: 2 for bad usage, 1 for a runtime failure. */
  get exitStatus(): 1 | 2 {
    return this.code === ErrorCodes.INVALID_ARG ? 2 : 1;
  }
}

export function isFwdError(err: unknown, code?: FwdErrorCode): err is FwdError {
  return (
    typeof err === "object" &&
    err !== null &&
    kFwdError in err &&
    (code === undefined || (err as FwdError).code === code)
  );
}

export function invalidArg(message: string): FwdError {
  return new FwdError(ErrorCodes.INVALID_ARG, message);
}

/** The `code` of a Node system error (ECONNREFUSED, …), if it has one. */
export function systemCode(err: unknown): string | undefined {
  if (err !== null && typeof err === "object" && "code" in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === "string" && !code.startsWith("ERR_")) return code;
  }
  return undefined;
}

/** "TLS" for errors of the TLS layer (OpenSSL and certificate checks), whatever their code. */
function tlsCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return undefined;
  return /^(ERR_SSL_|ERR_TLS_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|CERT_|ERR_OSSL_)/.test(code)
    ? code
    : undefined;
}

export type SocketOperation = "listen" | "connect" | "handshake";

/**
 * Turns a Node system error from listen() or connect() into an FwdError whose
 * message names the address and says what to try.
 */
export function fromSystemError(err: unknown, op: SocketOperation, address: string): FwdError {
  if (isFwdError(err)) return err;
  const errno = systemCode(err);
  const tls = tlsCode(err);
  const detail = err instanceof Error ? err.message : String(err);
  const verb = {
    listen: "cannot listen on",
    connect: "cannot connect to",
    handshake: "handshake with",
  }[op];
  const make = (code: FwdErrorCode, advice: string) =>
    new FwdError(code, `${verb} ${address}: ${advice}`, { cause: err, errno: errno ?? tls });
  switch (tls ? "TLS" : errno) {
    case "EADDRINUSE":
      return make(
        ErrorCodes.ADDR_IN_USE,
        "the port is already in use; stop the program using it or choose another port",
      );
    case "EADDRNOTAVAIL":
      return make(
        ErrorCodes.ADDR_NOT_AVAILABLE,
        "the address is not on this machine; use 0.0.0.0, :: or a local address",
      );
    case "EACCES":
    case "EPERM":
      return make(
        ErrorCodes.PERMISSION_DENIED,
        "permission denied; use a port above 1023 or run with the rights to bind it",
      );
    case "ECONNREFUSED":
      return make(
        ErrorCodes.CONN_REFUSED,
        "connection refused; check that the service is running and the port is right",
      );
    case "ECONNRESET":
    case "EPIPE":
      return make(ErrorCodes.CONN_RESET, "the connection was reset by the peer");
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_NONAME":
    case "EAI_FAIL":
      return make(ErrorCodes.HOST_NOT_FOUND, "host not found; check the host name and DNS");
    case "ENETUNREACH":
    case "EHOSTUNREACH":
    case "ENETDOWN":
    case "EHOSTDOWN":
      return make(ErrorCodes.NETWORK_UNREACHABLE, "no route to host; check the network and routes");
    case "TLS":
      return make(
        ErrorCodes.TLS,
        `TLS failed: ${detail}; check the certificate, --tls_ca or --tls_fingerprint`,
      );
    case "ETIMEDOUT":
      return make(ErrorCodes.TIMEOUT, "timed out; check the address and any firewall between");
    default:
      return make(ErrorCodes.NETWORK, detail);
  }
}
