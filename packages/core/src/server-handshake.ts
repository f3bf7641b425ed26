/**
 * The server side of the handshake, for both protocols: reads the first
 * frame, and for v2 runs the challenge-response. What it returns lets the
 * server answer in the client's own protocol.
 */
import type { Duplex } from "node:stream";
import { macMatches, NO_MAC, newNonce, replyMac, requestMac, type Token } from "./auth.js";
import { ErrorCodes, FwdError } from "./errors.js";
import { readFrame } from "./handshake.js";
import { FirstFrameParser } from "./protocol/first-frame.js";
import { LEGACY_EX, LEGACY_OK } from "./protocol/legacy.js";
import {
  decodeHello,
  decodeRequest,
  encodeChallenge,
  encodePaired,
  encodeReply,
  FrameType,
  ReplyCode,
  type ReplyName,
  type RequestKind,
  replyFields,
  V2_VERSION,
  V2FrameParser,
} from "./protocol/v2.js";

/** Which server is asking: it decides how legacy frames are read and refused. */
export type ServerMode = "user" | "multi";

export interface ServerHandshakeOptions {
  mode: ServerMode;
  /** With a token, legacy clients and v2 clients without the token are refused. */
  token?: Token | undefined;
  timeoutMs: number;
  /** The client, for messages: "client 10.0.0.5:50123". */
  what: string;
  signal?: AbortSignal;
}

/** A client's request, read and authenticated, waiting for the server's answer. */
export interface ServerHandshake {
  protocol: "legacy" | "v2";
  kind: RequestKind;
  host: string;
  port: number;
  uniqueId: string;
  /** Bytes that followed the request: they belong to the relay. */
  rest: Buffer;
  /**
   * Tells the client no, the way its protocol can: a v2 reply with a code and
   * reason; for legacy clients EX in multi mode, nothing (a close) in user mode.
   */
  refuse(code: Exclude<ReplyName, "ok">, reason: string, errno?: string): void;
  /** Tells the client yes: user mode: connected, relay follows; multi mode: registered. */
  accept(): void;
  /** Multi mode: the bytes that tell a waiting client it is paired. */
  pairedMessage(publicPeer: string): Buffer;
}

/**
 * Sends the refusal, then throws `error` for the server's log. The client
 * reads `reason` (default: the error's message).
 */
export function refuseWith(
  handshake: ServerHandshake,
  code: Exclude<ReplyName, "ok">,
  error: FwdError,
  reason = error.message,
): never {
  handshake.refuse(code, reason, error.errno);
  throw error;
}

export async function acceptHandshake(
  socket: Duplex,
  options: ServerHandshakeOptions,
): Promise<ServerHandshake> {
  const { mode, token, timeoutMs, what, signal } = options;
  const deadline = Date.now() + timeoutMs;
  const remaining = () => Math.max(1, deadline - Date.now());
  const first = await readFrame(socket, new FirstFrameParser(), { timeoutMs, what, signal });

  if (first.value.protocol === "legacy") {
    const { request } = first.value;
    const refuse = () => {
      if (mode === "multi") socket.write(LEGACY_EX);
    };
    if (token) {
      refuse();
      throw new FwdError(
        ErrorCodes.AUTH_FAILED,
        `${what} (id ${JSON.stringify(request.uniqueId)}) speaks the legacy protocol, which cannot carry a token; refused`,
      );
    }
    return {
      protocol: "legacy",
      kind: mode === "user" ? "connect" : "register",
      host: request.host,
      port: request.port,
      uniqueId: request.uniqueId,
      rest: first.rest,
      refuse,
      accept: () => {
        if (mode === "user") socket.write(LEGACY_OK);
      },
      pairedMessage: () => LEGACY_OK,
    };
  }

  const { frame } = first.value;
  const plainReply = (code: ReplyName, reason: string) =>
    socket.write(encodeReply(replyFields({ code: ReplyCode[code], errno: "", reason })));
  if (frame.version !== V2_VERSION) {
    plainReply(
      "unsupported_version",
      `this server speaks fwd protocol ${V2_VERSION}, not ${frame.version}; use a matching fwd version`,
    );
    throw new FwdError(
      ErrorCodes.UNSUPPORTED_VERSION,
      `${what} speaks fwd protocol ${frame.version}`,
    );
  }
  if (frame.type !== FrameType.HELLO) {
    plainReply("bad_request", "expected a hello frame");
    throw new FwdError(ErrorCodes.PROTOCOL, `${what} did not start with a hello frame`);
  }
  const { clientNonce } = decodeHello(frame.body);
  const serverNonce = newNonce();
  socket.write(encodeChallenge(serverNonce, token !== undefined));

  const second = await readFrame(socket, new V2FrameParser("v2 request"), {
    timeoutMs: remaining(),
    what,
    signal,
    initial: first.rest,
  });
  if (second.value.type !== FrameType.REQUEST || second.value.version !== V2_VERSION) {
    plainReply("bad_request", "expected a request frame");
    throw new FwdError(
      ErrorCodes.PROTOCOL,
      `${what} sent frame type ${second.value.type} instead of a request`,
    );
  }
  let request: ReturnType<typeof decodeRequest>;
  try {
    request = decodeRequest(second.value.body);
  } catch (err) {
    plainReply("bad_request", (err as Error).message);
    throw err;
  }
  const reply = (code: ReplyName, reason: string, errno = "") => {
    const fields = replyFields({ code: ReplyCode[code], errno, reason });
    socket.write(encodeReply(fields, token && replyMac(token, serverNonce, clientNonce, fields)));
  };
  if (
    token &&
    !macMatches(request.mac, requestMac(token, serverNonce, clientNonce, request.fields))
  ) {
    reply("auth_failed", "wrong or missing token");
    const claim = request.mac.equals(NO_MAC) ? "without a token" : "with a wrong token";
    throw new FwdError(
      ErrorCodes.AUTH_FAILED,
      `${what} (id ${JSON.stringify(request.uniqueId)}) tried to authenticate ${claim}; refused`,
    );
  }
  return {
    protocol: "v2",
    kind: request.kind,
    host: request.host,
    port: request.port,
    uniqueId: request.uniqueId,
    rest: second.rest,
    refuse: (code, reason, errno) => reply(code, reason, errno),
    accept: () => reply("ok", "ok"),
    pairedMessage: (publicPeer) => encodePaired(publicPeer),
  };
}
