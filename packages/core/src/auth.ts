/**
 * Token authentication for the v2 handshake: HMAC-SHA256 challenge-response.
 * The client proves it knows the token by a MAC over both nonces and its
 * request; the server proves it back over both nonces and its reply. The
 * token never crosses the wire, and a fresh server nonce per connection makes
 * a recorded handshake useless. MACs are compared in constant time.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { invalidOption } from "./errors.js";
import { MAC_SIZE, NONCE_SIZE } from "./protocol/v2.js";

/** A shared secret, kept as bytes; never logged. */
export class Token {
  private constructor(private readonly key: Buffer) {}

  static from(secret: string): Token {
    if (secret.length === 0) throw invalidOption("token", "is empty; give a non-empty token");
    return new Token(Buffer.from(secret, "utf8"));
  }

  mac(label: string, ...parts: Buffer[]): Buffer {
    const hmac = createHmac("sha256", this.key).update(label);
    for (const part of parts) hmac.update(part);
    return hmac.digest();
  }

  /** Hides the secret from util.inspect and JSON, so it cannot reach a log by accident. */
  toJSON(): string {
    return "[token]";
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return "Token [hidden]";
  }
}

export function newNonce(): Buffer {
  return randomBytes(NONCE_SIZE);
}

export const NO_MAC = Buffer.alloc(MAC_SIZE);

const REQUEST_LABEL = "fwd/2 request";
const REPLY_LABEL = "fwd/2 reply";
const AUTH_LABEL = "fwd/2 auth";
const READY_LABEL = "fwd/2 ready";

/** The client's proof for a link kept ready: over both nonces. */
export function authMac(token: Token, serverNonce: Buffer, clientNonce: Buffer): Buffer {
  return token.mac(AUTH_LABEL, serverNonce, clientNonce);
}

/** The server's answer to it: over both nonces. */
export function readyMac(token: Token, serverNonce: Buffer, clientNonce: Buffer): Buffer {
  return token.mac(READY_LABEL, serverNonce, clientNonce);
}

/** The client's proof: over both nonces and the request it sends. */
export function requestMac(
  token: Token,
  serverNonce: Buffer,
  clientNonce: Buffer,
  fields: Buffer,
): Buffer {
  return token.mac(REQUEST_LABEL, serverNonce, clientNonce, fields);
}

/** The server's proof: over both nonces and the reply it sends. */
export function replyMac(
  token: Token,
  serverNonce: Buffer,
  clientNonce: Buffer,
  fields: Buffer,
): Buffer {
  return token.mac(REPLY_LABEL, serverNonce, clientNonce, fields);
}

/** Constant-time comparison of a received MAC with the expected one. */
export function macMatches(received: Buffer | undefined, expected: Buffer): boolean {
  return (
    received !== undefined &&
    received.length === expected.length &&
    timingSafeEqual(received, expected)
  );
}

export interface TokenSources {
  /** The token itself. */
  token?: string | undefined;
  /** A file whose first line is the token. */
  tokenFile?: string | undefined;
  /** The token from the environment (FWD_TOKEN), so the secret need not show in `ps`. */
  env?: string | undefined;
}

/** The token from the first source that has one: `token`, `tokenFile`, `env`. */
export function resolveToken(sources: TokenSources): Token | undefined {
  if (sources.token !== undefined) return Token.from(sources.token);
  if (sources.tokenFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(sources.tokenFile, "utf8");
    } catch (err) {
      throw invalidOption(
        "tokenFile",
        `cannot be read: ${JSON.stringify(sources.tokenFile)}: ${(err as Error).message}`,
        sources.tokenFile,
      );
    }
    return Token.from(text.split(/\r?\n/)[0]!.trim());
  }
  if (sources.env !== undefined && sources.env !== "") return Token.from(sources.env);
  return undefined;
}
