/**
 * What a user-client knows of its server: what its links kept ready say
 * (UserClient.status(): up once a link was made or a connection served,
 * down while links fail), and the last error a connection met.
 */
import type { FwdError, UserClient } from "@fwd/core";

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
    wording: (error: FwdError) => string,
  ) {
    client.on("connectionError", (_info, error) => {
      this.#lastError = { code: error.code, message: wording(error), at: new Date().toISOString() };
    });
  }

  view(): ServerLinkView & { readyLinks: number; rttMs: number | undefined } {
    const status = this.client.status();
    this.#set(status.server);
    return {
      state: this.#state,
      since: this.#since,
      lastError: this.#lastError,
      readyLinks: status.readyLinks,
      rttMs: status.rttMs,
    };
  }

  #set(state: LinkState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#since = Date.now();
  }
}
