import { type V2Frame, V2FrameParser } from "./v2.js";

/**
 * Reads v2 frames one after another from a byte stream (a link between
 * handshake and relay carries several: pings, pongs, an offer). The handler
 * may stop the stream at any frame: the bytes after that frame, which it is
 * handed, belong to whatever comes next.
 */
export class V2FrameStream {
  private parser: V2FrameParser;

  constructor(private readonly what: string) {
    this.parser = new V2FrameParser(what);
  }

  /**
   * Feeds `chunk` (not kept: it may be reused). Calls `onFrame` per complete
   * frame, with the bytes after it in this chunk, until it returns false.
   * Throws an FwdError on bytes that are not a frame.
   */
  push(chunk: Uint8Array, onFrame: (frame: V2Frame, rest: Buffer) => boolean): void {
    let input = chunk;
    while (input.length > 0) {
      const parsed = this.parser.push(input);
      if (!parsed) return;
      this.parser = new V2FrameParser(this.what);
      if (!onFrame(parsed.value, parsed.rest)) return;
      input = parsed.rest;
    }
  }
}
