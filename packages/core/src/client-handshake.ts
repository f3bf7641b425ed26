/**
 * The client side of the handshake, for both protocols: it sends the request
 * and turns the server's answer into success (with any bytes that followed)
 * or a coded FwdError whose message says what the server said.
 */
import { isIPv4 } from "node:net";
import type { Duplex } from "node:stream";
import { macMatches, NO_MAC, newNonce, replyMac, requestMac, type Token } from "./auth.js";
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
import {
  decodeChallenge,
  decodePaired,
  decodeReply,
  encodeHello,
  encodeRequest,
  FrameType,
  ReplyCode,
  type RequestKind,
  replyName,
  requestFields,
  V2_VERSION,
  type V2Frame,
  V2FrameParser,
} from "./protocol/v2.js";

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

/**
 * The protocol a client speaks, checked against what it must carry: v2 when
 * asked, or with a token, or for a target the legacy frame cannot carry (a
 * host name or IPv6 address); legacy otherwise, so that legacy servers keep
 * working with the defaults. `hostOption` names the option holding `host`.
 */
export function resolveProtocol(
  choice: ProtocolChoice,
  token: Token | undefined,
  host: string,
  hostOption: string,
): "legacy" | "v2" {
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
  if (choice === "v2") return "v2";
  return token !== undefined || !isIPv4(host) ? "v2" : "legacy";
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
function brokeOff(err: unknown): boolean {
  return isFwdError(err, ErrorCodes.HANDSHAKE_CLOSED) || isFwdError(err, ErrorCodes.CONN_RESET);
}

/** Sends a request without waiting for an answer (the first half of a handshake). */
export function sendLegacyRequest(socket: Duplex, request: ClientRequest): void {
  socket.write(encodeLegacyRequest(request));
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
    if (brokeOff(err)) throw meaning.closed;
    throw err;
  }
  if (reply.value === "ex") throw meaning.ex;
  return reply.rest;
}

/**
 * Runs the v2 handshake up to the server's reply and resolves with the bytes
 * after it. Without a token, hello and request go out together (one round
 * trip); with one, the request waits for the challenge it must answer.
 */
export async function requestV2(
  socket: Duplex,
  request: ClientRequest,
  options: Omit<ClientHandshakeOptions, "protocol">,
): Promise<Buffer> {
  const { token, what, signal } = options;
  const deadline = Date.now() + options.timeoutMs;
  const timeoutMs = () => Math.max(1, deadline - Date.now());
  const fields = requestFields(request);
  const clientNonce = newNonce();
  socket.write(encodeHello(clientNonce));
  if (!token) socket.write(encodeRequest(fields, NO_MAC));

  const read = async (initial: Buffer | undefined): Promise<Parsed<V2Frame>> => {
    try {
      return await readFrame(socket, new V2FrameParser(`answer of ${what}`), {
        timeoutMs: timeoutMs(),
        what,
        signal,
        initial,
      });
    } catch (err) {
      // A legacy server closes on a v2 hello (or resets, with our bytes unread).
      if (!brokeOff(err) && !isFwdError(err, ErrorCodes.PROTOCOL)) throw err;
      throw new FwdError(
        ErrorCodes.PROTOCOL,
        `${what} broke off the fwd v2 handshake: if it is a legacy server, set \`protocol\` to legacy (no token, IPv4 targets only)`,
        { cause: err, option: "protocol" },
      );
    }
  };

  let frame = await read(undefined);
  if (frame.value.type === FrameType.CHALLENGE) {
    const { serverNonce, authRequired } = decodeChallenge(frame.value.body);
    if (token && !authRequired) {
      throw new FwdError(
        ErrorCodes.AUTH_FAILED,
        `${what} does not use a token, so it cannot prove it knows yours; set the same token on the server`,
        { option: "token" },
      );
    }
    if (token)
      socket.write(encodeRequest(fields, requestMac(token, serverNonce, clientNonce, fields)));
    frame = await read(frame.rest);
    if (frame.value.type !== FrameType.REPLY) {
      throw new FwdError(
        ErrorCodes.PROTOCOL,
        `${what} answered with frame type ${frame.value.type}, not a reply`,
      );
    }
    const reply = decodeReply(frame.value.body);
    // With a token every answer must carry the server's proof, except
    // auth_failed: a client holding the wrong token cannot check that one.
    if (
      token &&
      reply.code !== ReplyCode.auth_failed &&
      !macMatches(reply.mac, replyMac(token, serverNonce, clientNonce, reply.fields))
    ) {
      throw new FwdError(
        ErrorCodes.PROTOCOL,
        `${what} answered without proving it knows the token; someone may be in between (use TLS)`,
      );
    }
    if (reply.code !== ReplyCode.ok) throw replyError(reply, what, request);
    return frame.rest;
  }
  if (frame.value.type === FrameType.REPLY) {
    // A refusal before any challenge: an unknown version or a bad hello.
    throw replyError(decodeReply(frame.value.body), what, request);
  }
  throw new FwdError(ErrorCodes.PROTOCOL, `${what} answered with frame type ${frame.value.type}`);
}

/** Waits (multi mode, v2) for the server to say a public connection is paired. */
export async function awaitPaired(
  socket: Duplex,
  options: Omit<ClientHandshakeOptions, "protocol" | "token"> & { initial?: Buffer },
): Promise<{ publicPeer: string; rest: Buffer }> {
  const frame = await readFrame(socket, new V2FrameParser(`pairing from ${options.what}`), options);
  if (frame.value.type !== FrameType.PAIRED || frame.value.version !== V2_VERSION) {
    throw new FwdError(
      ErrorCodes.PROTOCOL,
      `${options.what} sent frame type ${frame.value.type} instead of a pairing`,
    );
  }
  return { ...decodePaired(frame.value.body), rest: frame.rest };
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
    default:
      return say(ErrorCodes.REFUSED, `${what} refused (code ${reply.code}): ${reply.reason}`);
  }
}
