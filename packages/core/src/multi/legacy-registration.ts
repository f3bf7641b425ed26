import type { Socket } from "node:net";
import { readerOf } from "../chunk-reader.js";
import type { ConnectionRecord } from "../connection-info.js";
import { ErrorCodes, FwdError } from "../errors.js";

/**
 * A legacy client's registration while it waits. The legacy protocol has no
 * heartbeat: a close drops it, any byte is a protocol error (a waiting
 * client has nothing to say), and it expires after `timeoutMs` (its client
 * renews every 30 s).
 */
export class LegacyRegistration {
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly socket: Socket,
    record: ConnectionRecord,
    timeoutMs: number,
    private readonly onDrop: (error?: FwdError) => void,
  ) {
    this.timer = setTimeout(() => onDrop(), timeoutMs);
    socket.once("end", this.onGone);
    socket.once("close", this.onGone);
    readerOf(socket).start(() => {
      onDrop(
        new FwdError(
          ErrorCodes.PROTOCOL,
          `client ${record.remote} sent data before its registration was paired`,
        ),
      );
      return false;
    });
  }

  /** Stops watching: the registration is paired or dropped. */
  detach(): void {
    clearTimeout(this.timer);
    readerOf(this.socket).stop();
    this.socket.off("end", this.onGone);
    this.socket.off("close", this.onGone);
  }

  private readonly onGone = () => this.onDrop();
}
