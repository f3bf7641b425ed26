/**
 * Coded errors. Every failure a user can hit is an FwdError with a stable
 * `code` and a one-line message that says what to do about it. Messages name
 * the options they concern in backquotes (`tls.fingerprint`), and `option`
 * holds the first of them: a command line rewords both in its own flags.
 */
import { ErrorCodes, type FwdErrorCode } from "./error-codes.js";
import { isTlsErrorCode, SYSTEM_ERRORS, tlsAdvice } from "./system-errors.js";

export { ErrorCodes, type FwdErrorCode } from "./error-codes.js";

export interface FwdErrorOptions {
  cause?: unknown;
  /** The system error code behind this error (ECONNREFUSED, …), if any. */
  errno?: string | undefined;
  /** The option whose value caused the error, as a path ("tls.fingerprint"). */
  option?: string | undefined;
  /** That option's value, when showing it is safe (never a secret). */
  value?: unknown;
}

/** Marks FwdErrors across copies of this module (two bundles, two installed versions). */
const kFwdError = Symbol.for("fwd.error");

export class FwdError extends Error {
  override readonly name = "FwdError";
  readonly [kFwdError] = true;
  readonly code: FwdErrorCode;
  readonly errno: string | undefined;
  readonly option: string | undefined;
  readonly value: unknown;

  constructor(code: FwdErrorCode, message: string, options: FwdErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.errno = options.errno ?? systemCode(options.cause);
    this.option = options.option;
    this.value = options.value;
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

/**
 * An option has a value fwd cannot use. The message reads
 * "`option` <problem>", e.g. "`uniqueId` must be at most 16 bytes".
 */
export function invalidOption(option: string, problem: string, value?: unknown): FwdError {
  return new FwdError(ErrorCodes.INVALID_ARG, `\`${option}\` ${problem}`, { option, value });
}

/** A call the object's state does not allow. */
export function invalidState(message: string): FwdError {
  return new FwdError(ErrorCodes.INVALID_STATE, message);
}

/** Any failure as an FwdError: FwdErrors as they are, anything else as ERR_FWD_NETWORK. */
export function toFwdError(err: unknown): FwdError {
  if (isFwdError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new FwdError(ErrorCodes.NETWORK, message, { cause: err });
}

/** The `code` of a Node system error (ECONNREFUSED, …), if it has one. */
export function systemCode(err: unknown): string | undefined {
  if (err !== null && typeof err === "object" && "code" in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === "string" && !code.startsWith("ERR_")) return code;
  }
  return undefined;
}

function tlsCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && isTlsErrorCode(code) ? code : undefined;
}

export type SocketOperation = "listen" | "connect" | "handshake";

const VERBS: Record<SocketOperation, string> = {
  listen: "cannot listen on",
  connect: "cannot connect to",
  handshake: "handshake with",
};

/**
 * Turns a Node system error from listen() or connect() into an FwdError whose
 * message names the address and says what to try.
 */
export function fromSystemError(err: unknown, op: SocketOperation, address: string): FwdError {
  if (isFwdError(err)) return err;
  const errno = systemCode(err);
  const tls = tlsCode(err);
  const detail = err instanceof Error ? err.message : String(err);
  const options = { cause: err, errno: errno ?? tls };
  const where = `${VERBS[op]} ${address}`;
  if (tls) {
    // A server sees its clients' failures in handshakes; a client, the server's in connect.
    const peer = op === "handshake" ? "client" : "server";
    const reason = (err as { reason?: unknown }).reason;
    const why = typeof reason === "string" ? reason : (detail.split("\n")[0] ?? detail);
    return new FwdError(ErrorCodes.TLS, `${where}: ${tlsAdvice(tls, peer, why)}`, {
      ...options,
      option: "tls",
    });
  }
  const meaning = errno === undefined ? undefined : SYSTEM_ERRORS[errno];
  if (!meaning) return new FwdError(ErrorCodes.NETWORK, `${where}: ${detail}`, options);
  return new FwdError(meaning.code, `${where}: ${meaning.advice}`, options);
}

/** The fwd code for a system error a peer reported (v2 refusals carry one). */
export function codeOfErrno(errno: string): FwdErrorCode {
  return SYSTEM_ERRORS[errno]?.code ?? ErrorCodes.NETWORK;
}
