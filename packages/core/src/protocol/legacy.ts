/**
 * The legacy wire format of the Python tools (see legacy-protocol.md): a
 * 35-byte request and 13-byte replies. A hard contract: legacy peers on the
 * other end of a link must keep working unchanged.
 */

import { isIPv4 } from "node:net";
import { copyOf } from "../bytes.js";
import { ErrorCodes, FwdError, invalidOption } from "../errors.js";
import type { FrameParser, Parsed } from "./frame-parser.js";

const OPEN = Buffer.from("<UVM>", "latin1");
const CLOSE = Buffer.from("</UVM>", "latin1");
export const LEGACY_REQUEST_SIZE = 35;
export const LEGACY_REPLY_SIZE = 13;
export const LEGACY_ID_SIZE = 16;
export const LEGACY_OK = Buffer.from("<UVM>OK</UVM>", "latin1");
export const LEGACY_EX = Buffer.from("<UVM>EX</UVM>", "latin1");

export interface LegacyRequest {
  /** Dotted IPv4: the target (user mode) or the public bind address (multi mode). */
  host: string;
  /** Signed 32-bit as sent: checking the range is the server's business. */
  port: number;
  /** The client's id, up to 16 bytes of UTF-8 left-padded with "0". */
  uniqueId: string;
}

/** "ok": accepted, relay follows. "ex": refused (multi mode: port in use). */
export type LegacyReply = "ok" | "ex";

/**
 * Left-pads an id with "0" to 16 bytes, as the legacy tools did (they padded
 * to 16 characters; the two agree for ASCII ids). Longer ids are refused.
 */
export function padUniqueId(id: string): string {
  const bytes = Buffer.byteLength(id, "utf8");
  if (bytes > LEGACY_ID_SIZE) {
    throw invalidOption(
      "uniqueId",
      `must be at most ${LEGACY_ID_SIZE} characters (16 bytes of UTF-8), got ${JSON.stringify(id)}`,
      id,
    );
  }
  return "0".repeat(LEGACY_ID_SIZE - bytes) + id;
}

/** Builds the 35-byte request. Only IPv4 literals fit in the frame. */
export function encodeLegacyRequest(request: LegacyRequest): Buffer {
  if (!isIPv4(request.host)) {
    throw new FwdError(
      ErrorCodes.INVALID_ARG,
      `the legacy protocol carries only IPv4 addresses, not ${JSON.stringify(request.host)}`,
    );
  }
  if (!Number.isInteger(request.port) || request.port < 0 || request.port > 65535) {
    throw new FwdError(ErrorCodes.INVALID_ARG, `port must be from 0 to 65535, got ${request.port}`);
  }
  const frame = Buffer.alloc(LEGACY_REQUEST_SIZE);
  OPEN.copy(frame, 0);
  request.host.split(".").forEach((octet, i) => {
    frame[5 + i] = Number(octet);
  });
  frame.writeInt32LE(request.port, 9);
  frame.write(padUniqueId(request.uniqueId), 13, LEGACY_ID_SIZE, "utf8");
  CLOSE.copy(frame, 29);
  return frame;
}

export function encodeLegacyReply(reply: LegacyReply): Buffer {
  return Buffer.from(reply === "ok" ? LEGACY_OK : LEGACY_EX);
}

/** What a fixed-size frame is: its size, a name for messages, and its byte rules. */
interface FixedFrame<T> {
  size: number;
  what: string;
  /** Whether `byte` may stand at `index`, given the bytes before it. */
  accepts(index: number, byte: number, frame: Buffer): boolean;
  decode(frame: Buffer): T;
}

/**
 * Collects a fixed-size frame, checking each byte as it arrives so a wrong
 * magic fails on the first bad byte rather than after the whole frame.
 */
class FixedFrameReader<T> implements FrameParser<T> {
  private readonly frame: Buffer;
  private filled = 0;
  private finished = false;

  constructor(private readonly spec: FixedFrame<T>) {
    this.frame = Buffer.alloc(spec.size);
  }

  push(chunk: Uint8Array): Parsed<T> | undefined {
    const { size, what } = this.spec;
    if (this.finished) throw new FwdError(ErrorCodes.PROTOCOL, `${what}: parser already finished`);
    const take = Math.min(chunk.length, size - this.filled);
    for (let i = 0; i < take; i++) {
      const byte = chunk[i]!;
      if (!this.spec.accepts(this.filled, byte, this.frame)) {
        this.finished = true;
        throw new FwdError(
          ErrorCodes.PROTOCOL,
          `${what}: unexpected byte 0x${byte.toString(16).padStart(2, "0")} at offset ${this.filled}; the peer does not speak the fwd/legacy protocol`,
        );
      }
      this.frame[this.filled++] = byte;
    }
    if (this.filled < size) return undefined;
    this.finished = true;
    return { value: this.spec.decode(this.frame), rest: copyOf(chunk.subarray(take)) };
  }

  end(): never {
    this.finished = true;
    throw new FwdError(
      ErrorCodes.HANDSHAKE_CLOSED,
      `${this.spec.what}: the connection ended after ${this.filled} of ${this.spec.size} bytes`,
    );
  }
}

const REQUEST_FRAME: FixedFrame<LegacyRequest> = {
  size: LEGACY_REQUEST_SIZE,
  what: "legacy request",
  accepts(index, byte) {
    if (index < 5) return byte === OPEN[index];
    if (index >= 29) return byte === CLOSE[index - 29];
    return true;
  },
  decode: (frame) => decodeLegacyRequest(frame),
};

const REPLY_FRAME: FixedFrame<LegacyReply> = {
  size: LEGACY_REPLY_SIZE,
  what: "legacy reply",
  accepts(index, byte, frame) {
    if (index < 5) return byte === OPEN[index];
    if (index === 5) return byte === 0x4f || byte === 0x45; // O or E
    if (index === 6) return byte === (frame[5] === 0x4f ? 0x4b : 0x58); // K after O, X after E
    return byte === CLOSE[index - 7];
  },
  decode: (frame) => (frame[5] === 0x4f ? "ok" : "ex"),
};

/** Parses the 35-byte request. */
export class LegacyRequestParser implements FrameParser<LegacyRequest> {
  readonly #reader = new FixedFrameReader(REQUEST_FRAME);

  push(chunk: Uint8Array): Parsed<LegacyRequest> | undefined {
    return this.#reader.push(chunk);
  }

  end(): never {
    return this.#reader.end();
  }
}

/** Parses a 13-byte reply: `<UVM>OK</UVM>` or `<UVM>EX</UVM>`. */
export class LegacyReplyParser implements FrameParser<LegacyReply> {
  readonly #reader = new FixedFrameReader(REPLY_FRAME);

  push(chunk: Uint8Array): Parsed<LegacyReply> | undefined {
    return this.#reader.push(chunk);
  }

  end(): never {
    return this.#reader.end();
  }
}

/** Decodes a complete 35-byte request frame. */
export function decodeLegacyRequest(frame: Buffer): LegacyRequest {
  if (frame.length > LEGACY_REQUEST_SIZE) {
    throw new FwdError(
      ErrorCodes.FRAME_TOO_LARGE,
      `a legacy request is ${LEGACY_REQUEST_SIZE} bytes, got ${frame.length}`,
    );
  }
  if (
    frame.length !== LEGACY_REQUEST_SIZE ||
    !frame.subarray(0, 5).equals(OPEN) ||
    !frame.subarray(29).equals(CLOSE)
  ) {
    throw new FwdError(ErrorCodes.PROTOCOL, "not a legacy request frame");
  }
  return {
    host: `${frame[5]}.${frame[6]}.${frame[7]}.${frame[8]}`,
    port: frame.readInt32LE(9),
    uniqueId: frame.toString("utf8", 13, 29),
  };
}
