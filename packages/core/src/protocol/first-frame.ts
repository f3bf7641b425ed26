import { ErrorCodes, FwdError } from "../errors.js";
import type { FrameParser, Parsed } from "./frame-parser.js";
import { type LegacyRequest, LegacyRequestParser } from "./legacy.js";
import { type V2Frame, V2FrameParser } from "./v2.js";

/** A client's first frame: the legacy request or a v2 frame. */
export type FirstFrame =
  | { protocol: "legacy"; request: LegacyRequest }
  | { protocol: "v2"; frame: V2Frame };

/**
 * Tells the two protocols apart by the first byte ("<" legacy, "F" v2) and
 * hands everything to the parser for that protocol.
 */
export class FirstFrameParser implements FrameParser<FirstFrame> {
  private inner: LegacyRequestParser | V2FrameParser | undefined;

  push(chunk: Uint8Array): Parsed<FirstFrame> | undefined {
    if (chunk.length === 0) return undefined;
    if (!this.inner) {
      if (chunk[0] === 0x3c) this.inner = new LegacyRequestParser();
      else if (chunk[0] === 0x46) this.inner = new V2FrameParser("v2 hello");
      else if (chunk[0] === 0x16) {
        // A TLS ClientHello: the client was told to use TLS, this server was not.
        throw new FwdError(
          ErrorCodes.PROTOCOL,
          "the client speaks TLS but this server has no certificate: give the server `certFile` and `keyFile`, or drop TLS on the client",
          { option: "certFile" },
        );
      } else {
        throw new FwdError(
          ErrorCodes.PROTOCOL,
          `first byte 0x${chunk[0]!.toString(16).padStart(2, "0")} is neither a legacy nor a fwd v2 handshake`,
        );
      }
    }
    if (this.inner instanceof LegacyRequestParser) {
      const parsed = this.inner.push(chunk);
      return parsed && { value: { protocol: "legacy", request: parsed.value }, rest: parsed.rest };
    }
    const parsed = this.inner.push(chunk);
    return parsed && { value: { protocol: "v2", frame: parsed.value }, rest: parsed.rest };
  }

  end(): never {
    if (this.inner) this.inner.end();
    throw new FwdError(ErrorCodes.HANDSHAKE_CLOSED, "the connection ended before a handshake");
  }
}
