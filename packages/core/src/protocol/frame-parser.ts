/** Handshake parsing: pure state machines fed buffers, no sockets inside. */

/** A complete frame and whatever bytes followed it in the same input. */
export interface Parsed<T> {
  value: T;
  /** Bytes after the frame: they belong to the relay, not the handshake. */
  rest: Buffer;
}

export interface FrameParser<T> {
  /**
   * Feeds the next bytes. Returns the frame once complete (the parser is then
   * finished), undefined while more is needed. Throws an FwdError as soon as
   * the input cannot be a valid frame. The chunk is not kept: it may be reused.
   */
  push(chunk: Uint8Array): Parsed<T> | undefined;
  /** The input ended before a frame completed: always throws an FwdError. */
  end(): never;
}
