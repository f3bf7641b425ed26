/**
 * The fwd v2 protocol: versioned, length-prefixed frames with a hard size
 * cap, host names and IPv6 targets, coded replies, an HMAC
 * challenge-response, heartbeats on idle links and confirmed pairing.
 * Every frame is
 *
 *   "FWD" | version u8 | type u8 | body length u16 BE | body
 *
 * The first byte tells a v2 client ("F") from a legacy one ("<").
 */
import { copyOf } from "../bytes.js";
import { ErrorCodes, FwdError } from "../errors.js";
import type { FrameParser, Parsed } from "./frame-parser.js";

export const V2_MAGIC = Buffer.from("FWD", "latin1");
export const V2_VERSION = 2;
export const V2_HEADER_SIZE = 7;
/** No v2 frame body is longer: a peer announcing more is cut off at once. */
export const V2_MAX_BODY = 1024;
export const NONCE_SIZE = 16;
export const MAC_SIZE = 32;
export const MAX_HOST_BYTES = 255;
export const MAX_ID_BYTES = 64;
export const MAX_REASON_BYTES = 512;
export const PING_SIZE = 8;

export const FrameType = {
  /** Client → server, first: a fresh client nonce. */
  HELLO: 1,
  /** Server → client: a fresh server nonce and whether a token is required. */
  CHALLENGE: 2,
  /** Client → server: what it wants, with its proof of the token. */
  REQUEST: 3,
  /** Server → client: a coded answer, with the server's proof. */
  REPLY: 4,
  /** Server → client, multi mode: a visitor waits; the client confirms with ACCEPT. */
  OFFER: 5,
  /** Client → server, multi mode: takes the offered visitor; the relay starts after it. */
  ACCEPT: 6,
  /** Either way on an idle link: are you there? (8 bytes the peer echoes). */
  PING: 7,
  /** The answer to a PING, echoing its 8 bytes. */
  PONG: 8,
  /** Client → server: proof of the token ahead of any request, for a link kept ready. */
  AUTH: 9,
  /** Server → client: the link is authenticated (with the server's proof); a request may follow. */
  READY: 10,
} as const;
export type FrameTypeValue = (typeof FrameType)[keyof typeof FrameType];

/** The answers a server gives, on the wire as one byte. */
export const ReplyCode = {
  ok: 0,
  auth_failed: 1,
  target_not_allowed: 2,
  target_unreachable: 3,
  port_in_use: 4,
  port_not_allowed: 5,
  bad_request: 6,
  unsupported_version: 7,
  /** Too many handshakes in progress (from this source or in all): try again shortly. */
  busy: 8,
} as const;
export type ReplyName = keyof typeof ReplyCode;

export function replyName(code: number): ReplyName | undefined {
  return (Object.keys(ReplyCode) as ReplyName[]).find((name) => ReplyCode[name] === code);
}

/** Letters, digits, dots, hyphens, underscores and colons (IPv6): nothing else is a host. */
export const HOST_CHARACTERS = /^[A-Za-z0-9._:-]*$/;

/** What a client asks: a connection to a target (user mode) or a public port (multi mode). */
export type RequestKind = "connect" | "register";
const KIND_BYTE: Record<RequestKind, number> = { connect: 1, register: 2 };

export interface V2Frame {
  version: number;
  type: number;
  body: Buffer;
}

export interface V2Request {
  kind: RequestKind;
  /** Target host (connect) or the public bind address, "" for the server's default (register). */
  host: string;
  port: number;
  uniqueId: string;
  /** HMAC over the rest of the request; all zeros when the client has no token. */
  mac: Buffer;
}

export interface V2Reply {
  code: number;
  /** register ok: the public port the server opened (0 otherwise). */
  port: number;
  /** The system error behind target_unreachable (ECONNREFUSED, …), or "". */
  errno: string;
  reason: string;
  /** The server's HMAC proof, when it has a token. */
  mac: Buffer | undefined;
}

export function encodeFrame(type: FrameTypeValue, body: Buffer = Buffer.alloc(0)): Buffer {
  if (body.length > V2_MAX_BODY) {
    throw new FwdError(
      ErrorCodes.FRAME_TOO_LARGE,
      `a v2 frame body is at most ${V2_MAX_BODY} bytes`,
    );
  }
  const header = Buffer.alloc(V2_HEADER_SIZE);
  V2_MAGIC.copy(header, 0);
  header[3] = V2_VERSION;
  header[4] = type;
  header.writeUInt16BE(body.length, 5);
  return Buffer.concat([header, body]);
}

/**
 * Reads one v2 frame. It accepts any version byte (so a server can answer an
 * unknown version with a refusal the client understands) and refuses a body
 * longer than V2_MAX_BODY as soon as the header announces it.
 */
export class V2FrameParser implements FrameParser<V2Frame> {
  private header = Buffer.alloc(0);
  private body: Buffer | undefined;
  private filled = 0;
  private finished = false;

  constructor(private readonly what = "v2 frame") {}

  push(chunk: Uint8Array): Parsed<V2Frame> | undefined {
    if (this.finished)
      throw new FwdError(ErrorCodes.PROTOCOL, `${this.what}: parser already finished`);
    let offset = 0;
    if (!this.body) {
      const need = V2_HEADER_SIZE - this.header.length;
      this.header = Buffer.concat([this.header, chunk.subarray(0, need)]);
      offset = Math.min(need, chunk.length);
      for (let i = 0; i < Math.min(this.header.length, 3); i++) {
        if (this.header[i] !== V2_MAGIC[i]) this.fail(ErrorCodes.PROTOCOL, "not a fwd v2 frame");
      }
      if (this.header.length < V2_HEADER_SIZE) return undefined;
      const length = this.header.readUInt16BE(5);
      if (length > V2_MAX_BODY) {
        this.fail(ErrorCodes.FRAME_TOO_LARGE, `body of ${length} bytes exceeds ${V2_MAX_BODY}`);
      }
      this.body = Buffer.alloc(length);
    }
    const take = Math.min(chunk.length - offset, this.body.length - this.filled);
    Buffer.from(chunk.buffer, chunk.byteOffset + offset, take).copy(this.body, this.filled);
    this.filled += take;
    if (this.filled < this.body.length) return undefined;
    this.finished = true;
    return {
      value: { version: this.header[3]!, type: this.header[4]!, body: this.body },
      rest: copyOf(chunk.subarray(offset + take)),
    };
  }

  end(): never {
    this.finished = true;
    throw new FwdError(ErrorCodes.HANDSHAKE_CLOSED, `${this.what}: the connection ended mid-frame`);
  }

  private fail(
    code: typeof ErrorCodes.PROTOCOL | typeof ErrorCodes.FRAME_TOO_LARGE,
    why: string,
  ): never {
    this.finished = true;
    throw new FwdError(code, `${this.what}: ${why}`);
  }
}

/** Reads the fields of a body in order, failing with bad_request on any overrun. */
class BodyReader {
  private offset = 0;

  constructor(
    private readonly body: Buffer,
    private readonly what: string,
  ) {}

  bytes(length: number): Buffer {
    if (this.offset + length > this.body.length) this.fail("is truncated");
    const out = this.body.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  u8(): number {
    return this.bytes(1)[0]!;
  }

  u16(): number {
    return this.bytes(2).readUInt16BE(0);
  }

  /** A string with a u8 (or u16) length prefix, valid UTF-8, at most `max` bytes. */
  text(max: number, wide = false): string {
    const length = wide ? this.u16() : this.u8();
    if (length > max) this.fail(`has a field of ${length} bytes (most ${max})`);
    const raw = this.bytes(length);
    const text = raw.toString("utf8");
    if (!Buffer.from(text, "utf8").equals(raw)) this.fail("has a field that is not UTF-8");
    return text;
  }

  rest(): Buffer {
    return this.bytes(this.body.length - this.offset);
  }

  done(): void {
    if (this.offset !== this.body.length) this.fail("has trailing bytes");
  }

  private fail(why: string): never {
    throw new FwdError(ErrorCodes.PROTOCOL, `${this.what} ${why}`);
  }
}

function lengthPrefixed(text: string, max: number, wide = false): Buffer {
  const raw = Buffer.from(text, "utf8");
  if (raw.length > max)
    throw new FwdError(
      ErrorCodes.INVALID_ARG,
      `${JSON.stringify(text)} is longer than ${max} bytes`,
    );
  const prefix = Buffer.alloc(wide ? 2 : 1);
  if (wide) prefix.writeUInt16BE(raw.length, 0);
  else prefix[0] = raw.length;
  return Buffer.concat([prefix, raw]);
}

export function encodeHello(clientNonce: Buffer): Buffer {
  return encodeFrame(FrameType.HELLO, clientNonce);
}

export function decodeHello(body: Buffer): { clientNonce: Buffer } {
  const reader = new BodyReader(body, "hello");
  const clientNonce = Buffer.from(reader.bytes(NONCE_SIZE));
  reader.done();
  return { clientNonce };
}

export function encodeChallenge(serverNonce: Buffer, authRequired: boolean): Buffer {
  return encodeFrame(
    FrameType.CHALLENGE,
    Buffer.concat([serverNonce, Buffer.from([authRequired ? 1 : 0])]),
  );
}

export function decodeChallenge(body: Buffer): { serverNonce: Buffer; authRequired: boolean } {
  const reader = new BodyReader(body, "challenge");
  const serverNonce = Buffer.from(reader.bytes(NONCE_SIZE));
  const flags = reader.u8();
  reader.done();
  return { serverNonce, authRequired: (flags & 1) === 1 };
}

/** The request body without its MAC: what the MAC covers. */
export function requestFields(request: Omit<V2Request, "mac">): Buffer {
  if (!Number.isInteger(request.port) || request.port < 0 || request.port > 65535) {
    throw new FwdError(ErrorCodes.INVALID_ARG, `port must be from 0 to 65535, got ${request.port}`);
  }
  const port = Buffer.alloc(2);
  port.writeUInt16BE(request.port, 0);
  return Buffer.concat([
    Buffer.from([KIND_BYTE[request.kind]]),
    port,
    lengthPrefixed(request.host, MAX_HOST_BYTES),
    lengthPrefixed(request.uniqueId, MAX_ID_BYTES),
  ]);
}

export function encodeRequest(fields: Buffer, mac: Buffer): Buffer {
  return encodeFrame(FrameType.REQUEST, Buffer.concat([mac, fields]));
}

export function decodeRequest(body: Buffer): V2Request & { fields: Buffer } {
  const reader = new BodyReader(body, "request");
  const mac = Buffer.from(reader.bytes(MAC_SIZE));
  const fields = Buffer.from(body.subarray(MAC_SIZE));
  const kindByte = reader.u8();
  const kind = (Object.keys(KIND_BYTE) as RequestKind[]).find((k) => KIND_BYTE[k] === kindByte);
  if (!kind) throw new FwdError(ErrorCodes.PROTOCOL, `request has an unknown kind ${kindByte}`);
  const port = reader.u16();
  const host = reader.text(MAX_HOST_BYTES);
  const uniqueId = reader.text(MAX_ID_BYTES);
  reader.done();
  // Resolvers stop at a NUL and allowlists compare whole strings: only host
  // name and IP literal characters may pass, or the two would disagree.
  if (!HOST_CHARACTERS.test(host)) {
    throw new FwdError(
      ErrorCodes.PROTOCOL,
      `request names a host with characters no host name has: ${JSON.stringify(host)}`,
    );
  }
  return { kind, host, port, uniqueId, mac, fields };
}

/** The reply body without its MAC: what the server's MAC covers. */
export function replyFields(reply: Omit<V2Reply, "mac">): Buffer {
  const port = Buffer.alloc(2);
  port.writeUInt16BE(reply.port, 0);
  return Buffer.concat([
    Buffer.from([reply.code]),
    port,
    lengthPrefixed(reply.errno, 32),
    lengthPrefixed(truncateUtf8(reply.reason, MAX_REASON_BYTES), MAX_REASON_BYTES, true),
  ]);
}

export function encodeReply(fields: Buffer, mac?: Buffer): Buffer {
  return encodeFrame(FrameType.REPLY, mac ? Buffer.concat([fields, mac]) : fields);
}

export function decodeReply(body: Buffer): V2Reply & { fields: Buffer } {
  const reader = new BodyReader(body, "reply");
  const code = reader.u8();
  const port = reader.u16();
  const errno = reader.text(32);
  const reason = reader.text(MAX_REASON_BYTES, true);
  const macBytes = reader.rest();
  const fieldsLength = body.length - macBytes.length;
  if (macBytes.length !== 0 && macBytes.length !== MAC_SIZE) {
    throw new FwdError(ErrorCodes.PROTOCOL, "reply has a malformed proof");
  }
  return {
    code,
    port,
    errno,
    reason,
    mac: macBytes.length ? Buffer.from(macBytes) : undefined,
    fields: Buffer.from(body.subarray(0, fieldsLength)),
  };
}

export function encodeOffer(publicPeer: string): Buffer {
  return encodeFrame(FrameType.OFFER, lengthPrefixed(publicPeer.slice(0, 100), MAX_HOST_BYTES));
}

export function decodeOffer(body: Buffer): { publicPeer: string } {
  const reader = new BodyReader(body, "offer");
  const publicPeer = reader.text(MAX_HOST_BYTES);
  reader.done();
  return { publicPeer };
}

export const ACCEPT_FRAME = encodeFrame(FrameType.ACCEPT);

/** A PING carrying `payload` (8 bytes), or the PONG that echoes it. */
export function encodePing(type: typeof FrameType.PING | typeof FrameType.PONG, payload: Buffer) {
  if (payload.length !== PING_SIZE) {
    throw new FwdError(ErrorCodes.INVALID_ARG, `a ping carries ${PING_SIZE} bytes`);
  }
  return encodeFrame(type, payload);
}

export function decodePing(body: Buffer, what = "ping"): Buffer {
  const reader = new BodyReader(body, what);
  const payload = Buffer.from(reader.bytes(PING_SIZE));
  reader.done();
  return payload;
}

export function encodeAuth(mac: Buffer): Buffer {
  return encodeFrame(FrameType.AUTH, mac);
}

export function decodeAuth(body: Buffer): { mac: Buffer } {
  const reader = new BodyReader(body, "auth");
  const mac = Buffer.from(reader.bytes(MAC_SIZE));
  reader.done();
  return { mac };
}

/** READY: empty without a token, the server's 32-byte proof with one. */
export function encodeReady(mac: Buffer | undefined): Buffer {
  return encodeFrame(FrameType.READY, mac);
}

export function decodeReady(body: Buffer): { mac: Buffer | undefined } {
  if (body.length !== 0 && body.length !== MAC_SIZE) {
    throw new FwdError(ErrorCodes.PROTOCOL, "ready has a malformed proof");
  }
  return { mac: body.length ? Buffer.from(body) : undefined };
}

/** Cuts a string to at most `max` UTF-8 bytes without splitting a character. */
function truncateUtf8(text: string, max: number): string {
  let out = text;
  while (Buffer.byteLength(out, "utf8") > max) out = out.slice(0, -1);
  return out;
}
