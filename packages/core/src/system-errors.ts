/**
 * The one table from system error codes (ECONNREFUSED, …) to fwd's codes and
 * what to do about them. Local failures (listen, connect) and failures a
 * server reports for its side (a v2 refusal carries the errno) read it alike.
 */
import { ErrorCodes, type FwdErrorCode } from "./error-codes.js";

export interface SystemErrorMeaning {
  code: FwdErrorCode;
  /** What it means and what to try, as the end of a sentence. */
  advice: string;
}

const addressInUse: SystemErrorMeaning = {
  code: ErrorCodes.ADDR_IN_USE,
  advice: "the port is already in use; stop the program using it or choose another port",
};
const permission: SystemErrorMeaning = {
  code: ErrorCodes.PERMISSION_DENIED,
  advice: "permission denied; use a port above 1023 or run with the rights to bind it",
};
const reset: SystemErrorMeaning = {
  code: ErrorCodes.CONN_RESET,
  advice: "the connection was reset by the peer",
};
const hostNotFound: SystemErrorMeaning = {
  code: ErrorCodes.HOST_NOT_FOUND,
  advice: "host not found; check the host name and DNS",
};
const unreachable: SystemErrorMeaning = {
  code: ErrorCodes.NETWORK_UNREACHABLE,
  advice: "no route to host; check the network and routes",
};

export const SYSTEM_ERRORS: Readonly<Record<string, SystemErrorMeaning>> = {
  EADDRINUSE: addressInUse,
  EADDRNOTAVAIL: {
    code: ErrorCodes.ADDR_NOT_AVAILABLE,
    advice: "the address is not on this machine; use 0.0.0.0, :: or a local address",
  },
  EACCES: permission,
  EPERM: permission,
  ECONNREFUSED: {
    code: ErrorCodes.CONN_REFUSED,
    advice: "connection refused; check that the service is running and the port is right",
  },
  ECONNRESET: reset,
  EPIPE: reset,
  ECONNABORTED: reset,
  ENOTFOUND: hostNotFound,
  EAI_AGAIN: hostNotFound,
  EAI_NONAME: hostNotFound,
  EAI_FAIL: hostNotFound,
  ENETUNREACH: unreachable,
  EHOSTUNREACH: unreachable,
  ENETDOWN: unreachable,
  EHOSTDOWN: unreachable,
  ETIMEDOUT: {
    code: ErrorCodes.TIMEOUT,
    advice: "timed out; check the address and any firewall between",
  },
};

/** "TLS" errors of OpenSSL and the certificate checks, whatever their code. */
export function isTlsErrorCode(code: string): boolean {
  return /^(ERR_SSL_|ERR_TLS_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|CERT_|ERR_OSSL_)/.test(code);
}

/** What the side that saw a TLS error should be told: "client" (a server saw it) or "server". */
export type TlsPeer = "client" | "server";

/**
 * TLS failures in one line that says what is likely wrong: OpenSSL's own
 * messages span lines and name source files. Keyed by Node's error code.
 */
export function tlsAdvice(code: string, peer: TlsPeer, reason: string): string {
  switch (code) {
    case "ERR_SSL_WRONG_VERSION_NUMBER":
    case "ERR_SSL_HTTP_REQUEST":
    case "ERR_SSL_UNKNOWN_PROTOCOL":
    case "ERR_SSL_PACKET_LENGTH_TOO_LONG":
    case "ERR_SSL_RECORD_LAYER_FAILURE":
      return peer === "client"
        ? "the client does not speak TLS: give it `tls` (or `tls.fingerprint`)"
        : "the server does not speak TLS: drop `tls` on this side, or give the server a certificate";
    case "CERT_HAS_EXPIRED":
      return "the server's certificate has expired (or this machine's clock is wrong): renew it";
    case "CERT_NOT_YET_VALID":
      return "the server's certificate is not valid yet (check this machine's clock)";
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
    case "SELF_SIGNED_CERT_IN_CHAIN":
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
      return "the server's certificate is not signed by a CA this machine trusts: pin it with `tls.fingerprint`, or give its CA in `tls.ca`";
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      return "the server's certificate is for another name: connect by a name it covers, or pin it with `tls.fingerprint`";
    default:
      return `TLS failed (${reason}); check the server certificate, \`tls.ca\` or \`tls.fingerprint\``;
  }
}
