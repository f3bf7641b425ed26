/**
 * The legacy wire format: a 35-byte request, 13-byte replies
 * (docs/legacy-protocol.md has the byte tables).
 */
import { isIPv4 } from "node:net";

const HEAD = Buffer.from("<UVM>", "latin1");
const TAIL = Buffer.from("</UVM>", "latin1");
export const REQUEST_SIZE = 35;
export const ID_SIZE = 16;
export const OK = Buffer.from("<UVM>OK</UVM>", "latin1");
export const EX = Buffer.from("<UVM>EX</UVM>", "latin1");
export const REPLY_SIZE = OK.length;

/**
 * Left-pads an id with "0" to 16 characters, as the legacy clients did.
 * Returns undefined for an id that is too long (they refused it at start).
 * @param {string} id
 */
export function padId(id) {
  const length = [...id].length; // characters, as Python counts them
  return length > ID_SIZE ? undefined : "0".repeat(ID_SIZE - length) + id;
}

/**
 * @param {string} ipv4 dotted quad
 * @param {number} port sent as a signed 32-bit little-endian integer
 * @param {string} paddedId at most 16 bytes of UTF-8 are kept
 */
export function encodeRequest(ipv4, port, paddedId) {
  if (!isIPv4(ipv4)) throw new Error(`not an IPv4 address: ${ipv4}`);
  const frame = Buffer.alloc(REQUEST_SIZE);
  HEAD.copy(frame, 0);
  for (const [i, octet] of ipv4.split(".").entries()) frame[5 + i] = Number(octet);
  frame.writeInt32LE(port, 9);
  frame.write(paddedId, 13, ID_SIZE, "utf8");
  TAIL.copy(frame, 29);
  return frame;
}

/**
 * Checks what one read returned, as the legacy servers did: exactly the
 * first 35 bytes, markers at both ends. Fewer bytes fail; there is no
 * waiting for the rest.
 * @param {Buffer} firstRead
 * @returns {{ ip: string, port: number, id: Buffer } | undefined}
 */
export function decodeRequest(firstRead) {
  if (firstRead.length < REQUEST_SIZE) return undefined;
  const frame = firstRead.subarray(0, REQUEST_SIZE);
  if (!frame.subarray(0, 5).equals(HEAD) || !frame.subarray(29).equals(TAIL)) return undefined;
  return {
    ip: `${frame[5]}.${frame[6]}.${frame[7]}.${frame[8]}`,
    port: frame.readInt32LE(9),
    id: Buffer.from(frame.subarray(13, 29)),
  };
}

/**
 * Bytes written the way Python's repr() writes them (b'00000000000abc'),
 * so that this peer's log lines read like the reference peer's.
 * @param {Buffer} bytes
 */
export function pythonBytes(bytes) {
  const quote = bytes.includes(0x27) && !bytes.includes(0x22) ? '"' : "'";
  let text = "";
  for (const byte of bytes) {
    const char = String.fromCharCode(byte);
    if (char === "\\" || char === quote) text += `\\${char}`;
    else if (char === "\t") text += "\\t";
    else if (char === "\n") text += "\\n";
    else if (char === "\r") text += "\\r";
    else if (byte >= 0x20 && byte < 0x7f) text += char;
    else text += `\\x${byte.toString(16).padStart(2, "0")}`;
  }
  return `b${quote}${text}${quote}`;
}
