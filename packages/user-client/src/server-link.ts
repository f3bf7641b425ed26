/**
 * What a user-client knows of its server: it connects once per local
 * connection, so the server's state is what the last attempt found. A relay
 * running, or any answer from the server, says it is up; a failed connect
 * says it is down.
 */
import { ErrorCodes, type FwdError, type UserClient } from "@fwd/core";

/** The server link's state, in the status page's words. */
export type LinkState = "connecting" | "up" | "down";

export interface ServerLinkView {
  state: LinkState;
  /** When the state last changed (ms since the epoch). */
  since: number;
  lastError: { code: string; message: string; at: string } | undefined;
}

export class ServerLinkWatch {
  #state: LinkState = "connecting";
  #since = Date.now();
  #lastError: ServerLinkView["lastError"];

  constructor(
    private readonly client: UserClient,
    server: string,
    wording: (error: FwdError) => string,
  ) {
    const unreachable = `cannot connect to ${server}`;
    client.on("connectionClosed", () => this.#set("up"));
    client.on("connectionError", (_info, error) => {
      const down = error.message.startsWith(unreachable) || error.code === ErrorCodes.TLS;
      this.#set(down ? "down" : "up");
      this.#lastError = { code: error.code, message: wording(error), at: new Date().toISOString() };
    });
  }

  view(): ServerLinkView {
    // A relay is running: the server answered it.
    if (this.client.stats().active > 0) this.#set("up");
    return { state: this.#state, since: this.#since, lastError: this.#lastError };
  }

  #set(state: LinkState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#since = Date.now();
  }
}
