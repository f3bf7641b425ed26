import type { Socket } from "node:net";
import { copyOf } from "../bytes.js";
import { readerOf } from "../chunk-reader.js";
import type { ConnectionRecord } from "../connection-info.js";

/**
 * A public connection waiting to be paired. Its bytes are read and kept (up
 * to `limit`, then it is paused: the sender waits) so that a hang-up is seen
 * at once and nothing it sent is lost; they are the relay's first bytes. A
 * reset (the socket closes under us) is a hang-up. A FIN is not, even before
 * any byte: a client that only downloads may shut its side at once, and TCP
 * cannot tell that from a visitor that closed; the relay carries the FIN on.
 */
export class HeldVisitor {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  private gone = false;
  /** The visitor sent its FIN while held: the relay carries it on after the bytes. */
  ended = false;

  constructor(
    readonly socket: Socket,
    readonly record: ConnectionRecord,
    limit: number,
    private readonly onGone: () => void,
  ) {
    socket.once("end", this.onEnd);
    socket.once("close", this.onClose);
    readerOf(socket).start((chunk, lent) => {
      this.chunks.push(lent ? copyOf(chunk) : chunk);
      this.bytes += chunk.length;
      return this.bytes < limit;
    });
  }

  /** True once the visitor hung up: it is never paired. */
  get hungUp(): boolean {
    return this.gone;
  }

  /** Stops holding: returns what the visitor sent; the socket stays paused for the relay. */
  release(): Buffer {
    readerOf(this.socket).stop();
    this.socket.off("end", this.onEnd);
    this.socket.off("close", this.onClose);
    return Buffer.concat(this.chunks);
  }

  private readonly onEnd = () => {
    this.ended = true;
  };

  private readonly onClose = () => {
    this.gone = true;
    this.onGone();
  };
}
