/**
 * The server side of the handshake, for both protocols: reads the first
 * frame, and for v2 runs the challenge-response, and for a link kept ready
 * its AUTH and READY and the wait for the request. What it returns lets the
 * server answer in the client's own protocol.
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
import { ErrorCodes, FwdError } from "./errors.js";
import { readFrame } from "./handshake.js";
import { Link } from "./link.js";
import { FirstFrameParser } from "./protocol/first-frame.js";
import { LEGACY_EX, LEGACY_OK } from "./protocol/legacy.js";
import {
  decodeAuth,
  decodeHello,
  decodeRequest,
  encodeChallenge,
  encodeOffer,
  encodeReady,
  encodeReply,
  FrameType,
  ReplyCode,
  type ReplyName,
  type RequestKind,
  replyFields,
  V2_VERSION,
  type V2Frame,
  V2FrameParser,
} from "./protocol/v2.js";

/** Which server is asking: it decides how legacy frames are read and refused. */
export type ServerMode = "user" | "multi";

export interface ServerHandshakeOptions {
  mode: ServerMode;
  /** With a token, legacy clients and v2 clients without the token are refused. */
  token?: Token | undefined;
  timeoutMs: number;
  /** A client that has not sent its first byte by then is dropped. */
  firstByteTimeoutMs?: number | undefined;
  /** The client, for messages: "client 10.0.0.5:50123". */
  what: string;
  signal?: AbortSignal;
  /**
   * A client proved itself ahead of any request, to keep the link ready.
   * Return how to keep it (it then waits for its request as long as it
   * answers heartbeats), or undefined to refuse it (too many).
   */
  onReady?: () => ReadyLinkOptions | undefined;
}

export interface ReadyLinkOptions {
  heartbeatMs: number;
  /** The link is up: the server keeps it to close it when it stops. */
  onLink(link: Link): void;
  /** The link ended before its request (silence, close, bad bytes). */
  onEnd(): void;
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
  /**
   * Tells the client yes: user mode: connected, relay follows; multi mode:
   * registered on public port `port`.
   */
  accept(port?: number): void;
  /** Multi mode: the bytes that offer a visitor (v2) or pair it at once (legacy OK). */
  offerMessage(publicPeer: string): Buffer;
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

/** Ends of ready links the client let go unused: not failures, not connections served. */
const unused = new WeakSet<FwdError>();

export function wasUnusedLink(err: unknown): boolean {
  return err instanceof FwdError && unused.has(err);
}

/** A v2 reply with no proof: for refusals before any nonce exists (busy, bad version). */
export function plainReply(code: ReplyName, reason: string): Buffer {
  return encodeReply(replyFields({ code: ReplyCode[code], port: 0, errno: "", reason }));
}

export async function acceptHandshake(
  socket: Duplex,
  options: ServerHandshakeOptions,
): Promise<ServerHandshake> {
  const { mode, token, timeoutMs, what, signal } = options;
  const deadline = Date.now() + timeoutMs;
  const remaining = () => Math.max(1, deadline - Date.now());
  const first = await readFrame(socket, new FirstFrameParser(), {
    timeoutMs,
    what,
    signal,
    firstByteTimeoutMs: options.firstByteTimeoutMs,
  });

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
      offerMessage: () => LEGACY_OK,
    };
  }

  const { frame } = first.value;
  if (frame.version !== V2_VERSION) {
    socket.write(
      plainReply(
        "unsupported_version",
        `this server speaks fwd protocol ${V2_VERSION}, not ${frame.version}; use a matching fwd version`,
      ),
    );
    throw new FwdError(
      ErrorCodes.UNSUPPORTED_VERSION,
      `${what} speaks fwd protocol ${frame.version}`,
    );
  }
  if (frame.type !== FrameType.HELLO) {
    socket.write(plainReply("bad_request", "expected a hello frame"));
    throw new FwdError(ErrorCodes.PROTOCOL, `${what} did not start with a hello frame`);
  }
  const { clientNonce } = decodeHello(frame.body);
  const serverNonce = newNonce();
  socket.write(encodeChallenge(serverNonce, token !== undefined));

  const next = await readFrame(socket, new V2FrameParser("v2 request"), {
    timeoutMs: remaining(),
    what,
    signal,
    initial: first.rest,
  });
  let requestBody: Buffer;
  let rest: Buffer;
  if (next.value.type === FrameType.AUTH) {
    ({ body: requestBody, rest } = await waitReady(socket, next, {
      ...options,
      serverNonce,
      clientNonce,
    }));
  } else {
    expectRequest(socket, next.value, what);
    requestBody = next.value.body;
    rest = next.rest;
  }
  let request: ReturnType<typeof decodeRequest>;
  try {
    request = decodeRequest(requestBody);
  } catch (err) {
    socket.write(plainReply("bad_request", (err as Error).message));
    throw err;
  }
  const reply = (code: ReplyName, reason: string, errno = "", port = 0) => {
    const fields = replyFields({ code: ReplyCode[code], port, errno, reason });
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
    rest,
    refuse: (code, reason, errno) => reply(code, reason, errno),
    accept: (port = 0) => reply("ok", "ok", "", port),
    offerMessage: (publicPeer) => encodeOffer(publicPeer),
  };
}

function expectRequest(socket: Duplex, frame: V2Frame, what: string): void {
  if (frame.type !== FrameType.REQUEST || frame.version !== V2_VERSION) {
    socket.write(plainReply("bad_request", "expected a request frame"));
    throw new FwdError(
      ErrorCodes.PROTOCOL,
      `${what} sent frame type ${frame.type} instead of a request`,
    );
  }
}

/**
 * A client proved its token ahead of a request: answer READY, hand the
 * link to the server (which keeps it with heartbeats), and wait for the
 * request on it.
 */
async function waitReady(
  socket: Duplex,
  auth: { value: V2Frame; rest: Buffer },
  options: ServerHandshakeOptions & { serverNonce: Buffer; clientNonce: Buffer },
): Promise<{ body: Buffer; rest: Buffer }> {
  const { token, what, serverNonce, clientNonce } = options;
  const { mac } = decodeAuth(auth.value.body);
  const expected = token ? authMac(token, serverNonce, clientNonce) : NO_MAC;
  if (!macMatches(mac, expected)) {
    socket.write(plainReply("auth_failed", "wrong or missing token"));
    const claim = mac.equals(NO_MAC) ? "without a token" : "with a wrong token";
    throw new FwdError(ErrorCodes.AUTH_FAILED, `${what} tried to authenticate ${claim}; refused`);
  }
  const keep = options.onReady?.();
  if (!keep) {
    socket.write(plainReply("busy", "no room for another ready link; try again shortly"));
    throw new FwdError(ErrorCodes.REFUSED, `${what}: no room for another ready link`);
  }
  socket.write(encodeReady(token && readyMac(token, serverNonce, clientNonce)));
  return new Promise((resolve, reject) => {
    const link: Link = new Link(socket, {
      initial: auth.rest,
      heartbeatMs: keep.heartbeatMs,
      what,
      onFrame: (frame) => {
        try {
          expectRequest(socket, frame, what);
        } catch (err) {
          link.kill(err as FwdError);
          return;
        }
        const rest = link.release();
        keep.onEnd();
        resolve({ body: frame.body, rest });
      },
      onDead: (error) => {
        keep.onEnd();
        // A ready link let go unused (the client had more than it needed, or
        // this server is stopping) is no failure.
        if (error.code === ErrorCodes.HANDSHAKE_CLOSED || error.code === ErrorCodes.ABORTED) {
          unused.add(error);
        }
        reject(error);
      },
    });
    keep.onLink(link);
  });
}
