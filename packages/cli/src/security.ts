/**
 * The security flags every tunnel command line shares (token, TLS, protocol,
 * handshake cap) and their mapping onto the @fwd/core options.
 */
import type { SecureContext } from "node:tls";
import {
  type ClientTlsOptions,
  defaults,
  type Endpoint,
  formatEndpoint,
  loadCa,
  loadServerTls,
  normalizeFingerprint,
  type ProtocolChoice,
  resolveToken,
  type Token,
} from "@fwd/core";
import { exposureWarning } from "./exposure.js";
import type { Logger } from "./logger.js";
import { usageError } from "./usage-error.js";

export const tokenFlags = {
  token: {
    kind: "string",
    describe:
      "Shared secret for authentication (v2); visible in ps, so prefer --token_file or FWD_TOKEN",
    option: "token",
  },
  token_file: {
    kind: "file",
    describe: "Read the token from the first line of this file",
    option: "tokenFile",
  },
} as const;

export const serverTlsFlags = {
  tls_cert: {
    kind: "file",
    describe: "PEM certificate file: serve clients over TLS (with --tls_key)",
    option: "certFile",
  },
  tls_key: { kind: "file", describe: "PEM private key file for --tls_cert", option: "keyFile" },
  max_handshakes: {
    kind: "count",
    default: defaults.maxHandshakes,
    describe: "Close new connections while this many handshakes are in progress",
    option: "maxHandshakes",
  },
  max_handshakes_per_source: {
    kind: "count",
    default: defaults.maxHandshakesPerSource,
    describe:
      "…and while this many from one address (an IPv6 /64) are, so one source cannot lock others out",
    option: "maxHandshakesPerSource",
  },
} as const;

export const clientTlsFlags = {
  tls: {
    kind: "boolean",
    default: false,
    describe: "Connect to the server over TLS, verified by the system CAs",
    option: "tls",
  },
  tls_ca: {
    kind: "file",
    describe: "Verify the server against this PEM CA file instead (implies --tls)",
    option: "tls.ca",
  },
  tls_fingerprint: {
    kind: "string",
    describe:
      "Accept only the server certificate with this SHA-256 fingerprint, sha256:AB:CD:… or openssl's line (implies --tls)",
    option: "tls.fingerprint",
  },
  protocol: {
    kind: "choice",
    choices: ["auto", "legacy", "v2"],
    default: "auto",
    describe: "Handshake: auto picks v2 for a token or a target legacy cannot carry",
    option: "protocol",
  },
} as const;

export interface TokenFlagValues {
  token?: string | undefined;
  token_file?: string | undefined;
}

function tokenOf(flags: TokenFlagValues, env: NodeJS.ProcessEnv): Token | undefined {
  return resolveToken({ token: flags.token, tokenFile: flags.token_file, env: env.FWD_TOKEN });
}

export interface ServerSecurity {
  token: Token | undefined;
  tls: SecureContext | undefined;
  maxHandshakes: number;
  maxHandshakesPerSource: number;
}

/** Token, TLS context and handshake cap of a server, loaded and checked at start. */
export function serverSecurity(
  flags: TokenFlagValues & {
    tls_cert?: string | undefined;
    tls_key?: string | undefined;
    max_handshakes: number;
    max_handshakes_per_source: number;
  },
  env: NodeJS.ProcessEnv = process.env,
): ServerSecurity {
  if ((flags.tls_cert === undefined) !== (flags.tls_key === undefined)) {
    throw usageError("--tls_cert and --tls_key go together; give both or neither");
  }
  const tls =
    flags.tls_cert !== undefined && flags.tls_key !== undefined
      ? loadServerTls({ certFile: flags.tls_cert, keyFile: flags.tls_key })
      : undefined;
  return {
    token: tokenOf(flags, env),
    tls,
    maxHandshakes: flags.max_handshakes,
    maxHandshakesPerSource: flags.max_handshakes_per_source,
  };
}

export interface ClientSecurity {
  token: Token | undefined;
  tls: ClientTlsOptions | undefined;
  protocol: ProtocolChoice;
}

/** Token, TLS options and protocol choice of a client, checked at start. */
export function clientSecurity(
  flags: TokenFlagValues & {
    tls: boolean;
    tls_ca?: string | undefined;
    tls_fingerprint?: string | undefined;
    protocol: string;
  },
  env: NodeJS.ProcessEnv = process.env,
): ClientSecurity {
  const wantsTls = flags.tls || flags.tls_ca !== undefined || flags.tls_fingerprint !== undefined;
  const tls: ClientTlsOptions | undefined = wantsTls ? {} : undefined;
  if (tls && flags.tls_ca !== undefined) tls.ca = loadCa(flags.tls_ca);
  if (tls && flags.tls_fingerprint !== undefined)
    tls.fingerprint = normalizeFingerprint(flags.tls_fingerprint);
  return { token: tokenOf(flags, env), tls, protocol: flags.protocol as ProtocolChoice };
}

/**
 * The start line of a tunnel server, saying how it is protected, and the
 * warning when it is open to anyone beyond loopback.
 */
export function announceServer(
  log: Logger,
  server: { address(): Endpoint },
  details: {
    program: "user-server" | "multi-server";
    serves: string;
    bindHost: string;
    token: Token | undefined;
    tls: unknown;
    /** What the allowlist restricts ("targets", "ports") and its text, if set. */
    allowlist: { name: string; value: { toString(): string } | undefined };
  },
): void {
  const { program, serves, bindHost, token, tls, allowlist } = details;
  const protections = [
    token && "token",
    tls && "TLS",
    allowlist.value && `${allowlist.name} ${allowlist.value}`,
  ].filter(Boolean);
  log.info(
    `listening on ${formatEndpoint(server.address())} for ${serves}` +
      ` (${protections.join(", ") || `no token, no TLS, any ${allowlist.name.replace(/s$/, "")}`})`,
  );
  const warning = exposureWarning(program, bindHost, {
    token: token !== undefined,
    allowlist: allowlist.value !== undefined,
  });
  if (warning) log.warn(warning);
}
