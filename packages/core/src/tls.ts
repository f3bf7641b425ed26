/**
 * Optional TLS for the links between fwd clients and servers. Servers load a
 * certificate and key; clients verify against the system CAs (or a CA file),
 * or pin a self-signed certificate by its SHA-256 fingerprint.
 */
import { readFileSync } from "node:fs";
import { isIP, type Socket } from "node:net";
import {
  createSecureContext,
  type SecureContext,
  TLSSocket,
  connect as tlsConnect,
} from "node:tls";
import { ErrorCodes, FwdError, invalidOption } from "./errors.js";

export interface ServerTlsFiles {
  /** PEM certificate chain. */
  certFile: string;
  /** PEM private key. */
  keyFile: string;
}

export interface ClientTlsOptions {
  /** PEM CA bundle to verify the server with, in place of the system CAs. */
  ca?: string | Buffer;
  /** "sha256:AB:CD:…" (or plain hex): accept exactly this certificate. */
  fingerprint?: string;
}

function readPem(path: string, option: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw invalidOption(
      option,
      `cannot be read: ${JSON.stringify(path)}: ${(err as Error).message}`,
      path,
    );
  }
}

/** A secure context from certificate and key files, checked at start. */
export function loadServerTls(files: ServerTlsFiles): SecureContext {
  const cert = readPem(files.certFile, "certFile");
  const key = readPem(files.keyFile, "keyFile");
  try {
    return createSecureContext({ cert, key });
  } catch (err) {
    throw invalidOption(
      "certFile",
      `and \`keyFile\` do not make a usable pair: ${(err as Error).message}`,
    );
  }
}

/** Reads a PEM CA file for `ClientTlsOptions.ca`. */
export function loadCa(path: string): Buffer {
  return readPem(path, "tls.ca");
}

/**
 * Normalizes a pin to Node's fingerprint256 form: upper-case hex pairs joined
 * by ":". Takes "sha256:AB:CD:…", bare hex, or the line
 * `openssl x509 -noout -fingerprint -sha256` prints ("sha256 Fingerprint=AB:…";
 * OpenSSL 1.1 writes "SHA256").
 */
export function normalizeFingerprint(pin: string): string {
  const hex = pin
    .trim()
    .replace(/^sha256\s+fingerprint\s*=/i, "")
    .replace(/^sha256:/i, "")
    .replace(/[:\s]/g, "")
    .toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) {
    throw invalidOption(
      "tls.fingerprint",
      `must be a SHA-256 fingerprint, sha256: followed by 64 hex digits (or openssl's "sha256 Fingerprint=…" line), got ${JSON.stringify(pin)}`,
      pin,
    );
  }
  return hex.match(/../g)!.join(":");
}

/** Wraps an accepted socket as the server side of TLS. */
export function secureServerSocket(socket: Socket, context: SecureContext): TLSSocket {
  return new TLSSocket(socket, { isServer: true, secureContext: context });
}

/**
 * What a client keeps between its TLS connections: one secure context (a
 * context per connection would parse the CA store each time) and, per
 * server, the last session ticket from a verified connection, so the next
 * connection resumes instead of a full handshake.
 */
interface ClientTlsCache {
  context: SecureContext;
  pin: string | undefined;
  sessions: Map<string, Buffer>;
}

const clientCaches = new WeakMap<ClientTlsOptions, ClientTlsCache>();

function cacheFor(options: ClientTlsOptions): ClientTlsCache {
  let cache = clientCaches.get(options);
  if (!cache) {
    cache = {
      context: createSecureContext(options.ca ? { ca: options.ca } : {}),
      pin:
        options.fingerprint === undefined ? undefined : normalizeFingerprint(options.fingerprint),
      sessions: new Map(),
    };
    clientCaches.set(options, cache);
  }
  return cache;
}

/**
 * Opens a TLS connection and resolves once the server is verified: by the CA
 * chain and host name, or by the pinned fingerprint. A resumed session needs
 * no new check: its ticket came from a connection that passed one. Rejects
 * with ERR_FWD_TLS (or the usual connect errors) otherwise.
 */
export function connectTls(
  host: string,
  port: number,
  options: ClientTlsOptions,
  where: string,
): { socket: TLSSocket; verified: Promise<void> } {
  const cache = cacheFor(options);
  const { pin } = cache;
  const session = cache.sessions.get(where);
  const socket = tlsConnect({
    host,
    port,
    secureContext: cache.context,
    // Honoured by tls.connect (it builds the TLSSocket with it) though not in its types.
    ...({ allowHalfOpen: true } as object),
    ...(isIP(host) ? {} : { servername: host }),
    ...(session ? { session } : {}),
    // A pinned certificate is usually self-signed: the pin replaces the chain check.
    rejectUnauthorized: pin === undefined || options.ca !== undefined,
  });
  // A ticket may come before the check or after it: it is kept only once the server is verified.
  let trusted = false;
  let ticket: Buffer | undefined;
  socket.on("session", (received: Buffer) => {
    if (trusted) cache.sessions.set(where, received);
    else ticket = received;
  });
  const verified = new Promise<void>((resolve, reject) => {
    socket.once("secureConnect", () => {
      const actual = socket.isSessionReused()
        ? pin
        : socket.getPeerX509Certificate()?.fingerprint256;
      if (pin === undefined || actual === pin) {
        trusted = true;
        if (ticket) cache.sessions.set(where, ticket);
        return resolve();
      }
      cache.sessions.delete(where);
      reject(
        new FwdError(
          ErrorCodes.TLS,
          `cannot connect to ${where}: its certificate sha256:${actual ?? "none"} does not match \`tls.fingerprint\`; check the pin, or someone is in between`,
          { option: "tls.fingerprint" },
        ),
      );
    });
  });
  return { socket, verified };
}
