/**
 * The client side of the v2 handshake: hello and challenge, then either a
 * request and its reply, or (for a link kept ready) the token's proof and
 * the server's READY, with the request sent later on the same session.
 */
import type { Duplex } from "node:stream";
import {
  authMac,
  macMatches,
  NO_MAC,
  newNonce,
  readyMac,
  replyMac,
  requestMac,
  type Token,
} from "./auth.js";
import { brokeOff, type ClientRequest, replyError } from "./client-handshake.js";
import { ErrorCodes, FwdError, isFwdError } from "./errors.js";
import { readFrame } from "./handshake.js";
import type { Parsed } from "./protocol/frame-parser.js";
import {
  decodeChallenge,
  decodeReady,
  decodeReply,
  encodeAuth,
  encodeHello,
  encodeRequest,
  FrameType,
  ReplyCode,
  requestFields,
  type V2Frame,
  V2FrameParser,
} from "./protocol/v2.js";

export interface V2Options {
  token?: Token | undefined;
  timeoutMs: number;
  /** The server, for messages: "server vpn.example:22222". */
  what: string;
  signal?: AbortSignal | undefined;
}

/** Hello and challenge done: what the request's (or AUTH's) proof is made of. */
export interface V2Session {
  serverNonce: Buffer;
  clientNonce: Buffer;
  /** Bytes after the last frame read. */
  rest: Buffer;
}

/** What a server granted: the relay's first bytes and, for a registration, the public port. */
export interface V2Granted {
  rest: Buffer;
  /** register: the public port the server opened. */
  port: number;
}

/**
 * Errors meaning "the server broke off before answering anything": what a
 * legacy server does with a v2 hello. Auto mode then tries legacy.
 */
const legacyHints = new WeakSet<FwdError>();

export function looksLegacy(err: unknown): boolean {
  return isFwdError(err) && legacyHints.has(err);
}

/**
 * Auto mode tried legacy after a v2 hang-up, and legacy was hung up on too:
 * the server speaks neither, most likely because it expects TLS.
 */
export function neitherProtocol(what: string, cause: unknown): FwdError {
  return new FwdError(
    ErrorCodes.HANDSHAKE_CLOSED,
    `${what} broke off both the fwd v2 and the legacy handshake: if it uses TLS, add \`tls\` (a legacy server also closes when it cannot serve the request)`,
    { cause, option: "tls" },
  );
}

/** Reads the next frame, turning a hang-up before any answer into the legacy hint. */
async function readAnswer(
  socket: Duplex,
  options: V2Options & { deadline: number; initial?: Buffer | undefined; heard: boolean },
): Promise<Parsed<V2Frame>> {
  const { what, signal, initial } = options;
  try {
    return await readFrame(socket, new V2FrameParser(`answer of ${what}`), {
      timeoutMs: Math.max(1, options.deadline - Date.now()),
      what,
      signal,
      initial,
    });
  } catch (err) {
    if (options.heard || !(brokeOff(err) || isFwdError(err, ErrorCodes.PROTOCOL))) throw err;
    const hint = new FwdError(
      ErrorCodes.HANDSHAKE_CLOSED,
      `${what} broke off the fwd v2 handshake: if it uses TLS, add \`tls\`; if it is a legacy server, set \`protocol\` to legacy (no token, IPv4 targets only)`,
      { cause: err, option: "protocol" },
    );
    legacyHints.add(hint);
    throw hint;
  }
}

/** Refusal frames a server may send in place of its challenge (busy, unknown version). */
function earlyRefusal(frame: V2Frame, what: string, request: ClientRequest | undefined): FwdError {
  if (frame.type === FrameType.REPLY) {
    const reply = decodeReply(frame.body);
    return replyError(reply, what, request ?? { kind: "connect", host: "", port: 0, uniqueId: "" });
  }
  return new FwdError(ErrorCodes.PROTOCOL, `${what} answered with frame type ${frame.type}`);
}

/**
 * Hello and challenge. `early` goes out with the hello when it needs no
 * server nonce (no token): a request or AUTH, saving a round trip.
 */
async function hello(
  socket: Duplex,
  options: V2Options & { deadline: number },
  early: ((clientNonce: Buffer) => Buffer) | undefined,
  request: ClientRequest | undefined,
): Promise<V2Session> {
  const clientNonce = newNonce();
  socket.write(encodeHello(clientNonce));
  if (!options.token && early) socket.write(early(clientNonce));
  const frame = await readAnswer(socket, { ...options, heard: false });
  if (frame.value.type !== FrameType.CHALLENGE) {
    throw earlyRefusal(frame.value, options.what, request);
  }
  const { serverNonce, authRequired } = decodeChallenge(frame.value.body);
  if (options.token && !authRequired) {
    throw new FwdError(
      ErrorCodes.AUTH_FAILED,
      `${options.what} does not use a token, so it cannot prove it knows yours; set the same token on the server`,
      { option: "token" },
    );
  }
  if (!options.token && authRequired) {
    throw new FwdError(
      ErrorCodes.AUTH_FAILED,
      `${options.what} requires a token; give the server's \`token\``,
      { option: "token" },
    );
  }
  return { serverNonce, clientNonce, rest: frame.rest };
}

/** Sends the request on a session (its proof over both nonces) and reads the reply. */
export async function requestOnSession(
  socket: Duplex,
  session: V2Session,
  request: ClientRequest,
  options: V2Options & { deadline?: number; sent?: boolean },
): Promise<V2Granted> {
  const { token, what } = options;
  const deadline = options.deadline ?? Date.now() + options.timeoutMs;
  const fields = requestFields(request);
  if (!options.sent) {
    const mac = token
      ? requestMac(token, session.serverNonce, session.clientNonce, fields)
      : NO_MAC;
    socket.write(encodeRequest(fields, mac));
  }
  const frame = await readAnswer(socket, {
    ...options,
    deadline,
    heard: true,
    initial: session.rest,
  });
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
    !macMatches(reply.mac, replyMac(token, session.serverNonce, session.clientNonce, reply.fields))
  ) {
    throw new FwdError(
      ErrorCodes.PROTOCOL,
      `${what} answered without proving it knows the token; someone may be in between (use TLS)`,
    );
  }
  if (reply.code !== ReplyCode.ok) throw replyError(reply, what, request);
  return { rest: frame.rest, port: reply.port };
}

/**
 * The whole handshake for one request. Without a token, hello and request
 * go out together (one round trip); with one, the request waits for the
 * challenge its proof covers.
 */
export async function requestV2(
  socket: Duplex,
  request: ClientRequest,
  options: V2Options,
): Promise<V2Granted> {
  const deadline = Date.now() + options.timeoutMs;
  const early = () => encodeRequest(requestFields(request), NO_MAC);
  const session = await hello(socket, { ...options, deadline }, early, request);
  return requestOnSession(socket, session, request, {
    ...options,
    deadline,
    sent: !options.token,
  });
}

/**
 * Opens a session for a link kept ready: hello, the token's proof, and the
 * server's READY (with its own proof). The request comes later, on the
 * returned session.
 */
export async function readyV2(socket: Duplex, options: V2Options): Promise<V2Session> {
  const { token, what } = options;
  const deadline = Date.now() + options.timeoutMs;
  const session = await hello(
    socket,
    { ...options, deadline },
    () => encodeAuth(NO_MAC),
    undefined,
  );
  if (token) socket.write(encodeAuth(authMac(token, session.serverNonce, session.clientNonce)));
  const frame = await readAnswer(socket, {
    ...options,
    deadline,
    heard: true,
    initial: session.rest,
  });
  if (frame.value.type === FrameType.REPLY) throw earlyRefusal(frame.value, what, undefined);
  if (frame.value.type !== FrameType.READY) {
    throw new FwdError(
      ErrorCodes.PROTOCOL,
      `${what} answered AUTH with frame type ${frame.value.type}`,
    );
  }
  const { mac } = decodeReady(frame.value.body);
  if (token && !macMatches(mac, readyMac(token, session.serverNonce, session.clientNonce))) {
    throw new FwdError(
      ErrorCodes.PROTOCOL,
      `${what} answered without proving it knows the token; someone may be in between (use TLS)`,
    );
  }
  return { ...session, rest: frame.rest };
}
