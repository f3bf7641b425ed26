/**
 * The client side of the handshake, for both protocols: it sends the request
 * and turns the server's answer into success (with any bytes that followed)
 * or a coded FwdError whose message says what the server said.
 */
import { isIPv4 } from "node:net";
import type { Duplex } from "node:stream";
import type { Token } from "./auth.js";
import {
  codeOfErrno,
  ErrorCodes,
  FwdError,
  type FwdErrorCode,
  invalidOption,
  isFwdError,
} from "./errors.js";
import { readFrame } from "./handshake.js";
import type { Parsed } from "./protocol/frame-parser.js";
import { encodeLegacyRequest, type LegacyReply, LegacyReplyParser } from "./protocol/legacy.js";
import { type RequestKind, replyName } from "./protocol/v2.js";

/** Which protocol a client speaks: auto picks v2 only when it must. */
export type ProtocolChoice = "auto" | "legacy" | "v2";

export interface ClientRequest {
  kind: RequestKind;
  host: string;
  port: number;
  uniqueId: string;
}

export interface ClientHandshakeOptions {
  protocol: "legacy" | "v2";
  token?: Token | undefined;
  timeoutMs: number;
  /** The server, for messages: "server vpn.example:22222". */
  what: string;
  signal?: AbortSignal;
}

/** What a client will speak: one protocol, or v2 first with legacy as the fallback. */
export type ProtocolPlan = "legacy" | "v2" | "v2-or-legacy";

/**
 * The protocol a client speaks, checked against what it must carry. `auto`
 * speaks v2 to fwd servers and falls back to legacy against a legacy server,
 * unless a token or a target the legacy frame cannot carry (a host name, an
 * IPv6 address) rules legacy out. `hostOption` names the option holding `host`.
 */
export function resolveProtocol(
  choice: ProtocolChoice,
  token: Token | undefined,
  host: string,
  hostOption: string,
): ProtocolPlan {
  if (choice === "legacy") {
    if (token) {
      throw invalidOption(
        "protocol",
        "is legacy, which cannot carry a token; drop `token` or use protocol v2",
        choice,
      );
    }
    if (!isIPv4(host)) {
      throw invalidOption(
        hostOption,
        `must be an IPv4 address with protocol legacy: the legacy frame cannot carry ${JSON.stringify(host)}`,
        host,
      );
    }
    return "legacy";
  }
  if (choice === "v2" || token !== undefined || !isIPv4(host)) return "v2";
  return "v2-or-legacy";
}

/** Errors after which retrying cannot help: clients stop on them. */
export function isFatalHandshakeError(err: unknown): boolean {
  const fatal: FwdErrorCode[] = [
    ErrorCodes.AUTH_FAILED,
    ErrorCodes.PORT_NOT_ALLOWED,
    ErrorCodes.UNSUPPORTED_VERSION,
    ErrorCodes.TLS,
  ];
  return isFwdError(err) && fatal.includes(err.code);
}

/** The peer closed or reset the connection before answering. */
export function brokeOff(err: unknown): boolean {
  return isFwdError(err, ErrorCodes.HANDSHAKE_CLOSED) || isFwdError(err, ErrorCodes.CONN_RESET);
}

/** Sends a request without waiting for an answer (the first half of a handshake). */
export function sendLegacyRequest(socket: Duplex, request: ClientRequest): void {
  socket.write(encodeLegacyRequest(request));
}

/** Legacy refusals that were a close without any reply (not an EX). */
const hungUp = new WeakSet<FwdError>();

/** Whether a legacy exchange ended in a close without a reply. */
export function closedWithoutReply(err: unknown): boolean {
  return isFwdError(err) && hungUp.has(err);
}

/** Reads the legacy reply: resolves on OK, throws REFUSED (EX, or a close without reply). */
export async function readLegacyReply(
  socket: Duplex,
  options: Omit<ClientHandshakeOptions, "protocol" | "token">,
  meaning: { ex: FwdError; closed: FwdError },
): Promise<Buffer> {
  let reply: Parsed<LegacyReply>;
  try {
    reply = await readFrame(socket, new LegacyReplyParser(), options);
  } catch (err) {
    if (brokeOff(err)) {
      hungUp.add(meaning.closed);
      throw meaning.closed;
    }
    throw err;
  }
  if (reply.value === "ex") throw meaning.ex;
  return reply.rest;
}

/** The FwdError for a server's refusal, with its reason in the message. */
export function replyError(
  reply: { code: number; errno: string; reason: string },
  what: string,
  request: ClientRequest,
): FwdError {
  const name = replyName(reply.code);
  const target =
    request.kind === "connect" ? `${request.host}:${request.port}` : `public port ${request.port}`;
  const say = (code: FwdErrorCode, message: string, option?: string) =>
    new FwdError(code, message, { errno: reply.errno || undefined, option });
  switch (name) {
    case "auth_failed":
      return say(
        ErrorCodes.AUTH_FAILED,
        `${what} refused the token (${reply.reason}); give the server's \`token\``,
        "token",
      );
    case "target_not_allowed":
      return say(
        ErrorCodes.TARGET_NOT_ALLOWED,
        `${what} does not allow ${target}: ${reply.reason}`,
      );
    case "target_unreachable":
      return say(
        codeOfErrno(reply.errno),
        `${what} cannot reach ${target}${reply.errno ? ` (${reply.errno})` : ""}: ${reply.reason}`,
      );
    case "port_in_use":
      return say(ErrorCodes.ADDR_IN_USE, `${what} cannot open ${target}: ${reply.reason}`);
    case "port_not_allowed":
      return say(ErrorCodes.PORT_NOT_ALLOWED, `${what} does not allow ${target}: ${reply.reason}`);
    case "bad_request":
      return say(ErrorCodes.PROTOCOL, `${what} did not understand the request: ${reply.reason}`);
    case "unsupported_version":
      return say(ErrorCodes.UNSUPPORTED_VERSION, `${what}: ${reply.reason}`);
    case "busy":
      return say(ErrorCodes.REFUSED, `${what} is busy: ${reply.reason}`);
    default:
      return say(ErrorCodes.REFUSED, `${what} refused (code ${reply.code}): ${reply.reason}`);
  }
}
