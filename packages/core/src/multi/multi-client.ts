import type { Socket } from "node:net";
import { type Endpoint, formatEndpoint } from "../address.js";
import type { BackoffOptions } from "../backoff.js";
import { ConnectionHub } from "../connection-hub.js";
import { dial } from "../dial.js";
import { ErrorCodes, FwdError, isFwdError } from "../errors.js";
import { readFrame } from "../handshake.js";
import type { Parsed } from "../protocol/frame-parser.js";
import {
  encodeLegacyRequest,
  type LegacyReply,
  LegacyReplyParser,
  padUniqueId,
} from "../protocol/legacy.js";
import {
  type RegistrationContext,
  RegistrationLoop,
  type RegistrationOutcome,
  type RegistrationState,
} from "./registration-loop.js";

/** The legacy client's wait for a pairing before it registers anew. */
export const DEFAULT_REGISTER_TIMEOUT_MS = 30_000;

export interface MultiClientOptions {
  /** The multi-server. */
  server: Endpoint;
  /** Where each public connection is relayed to, on this side. */
  target: Endpoint;
  /** The port the server opens for the public. */
  publicPort: number;
  /** The address the server binds it to (default 0.0.0.0, as the legacy client sent). */
  publicHost?: string;
  /** Up to 16 characters, left-padded with "0" (default: 16 zeros). */
  uniqueId?: string;
  /** Give up connecting to the server or the target after this long (default 10 s). */
  connectTimeoutMs?: number;
  /** Renew a registration that nothing paired within this long (default 30 s). */
  registerTimeoutMs?: number;
  /** Close a relayed connection after this long without a byte either way. */
  idleTimeoutMs?: number;
  /** Retry delays after failures (default 250 ms doubling up to 5 s, with jitter). */
  backoff?: BackoffOptions;
  signal?: AbortSignal;
}

export interface MultiClientEvents {
  /** The registration state changed (reported once per change, not per attempt). */
  state: [state: RegistrationState];
}

/**
 * The client of the reverse tunnel: keeps a registration waiting at the
 * multi-server at all times; each time the server pairs it with a public
 * connection it registers again at once and relays that connection to the
 * target. Against a legacy server exactly one registration waits (the legacy
 * server replaces a waiting registration with a newer one). Create with
 * startMultiClient().
 */
export class MultiClient extends ConnectionHub<MultiClientEvents> {
  private readonly request: Buffer;
  private loop: RegistrationLoop | undefined;
  /** Rejects if the client stops on an error it cannot retry. */
  readonly failed: Promise<never>;
  private fail!: (error: FwdError) => void;

  constructor(readonly options: MultiClientOptions) {
    super();
    this.request = encodeLegacyRequest({
      host: options.publicHost ?? "0.0.0.0",
      port: options.publicPort,
      uniqueId: padUniqueId(options.uniqueId ?? ""),
    });
    this.failed = new Promise<never>((_, reject) => {
      this.fail = reject;
    });
    this.failed.catch(() => {}); // observed through `failed` by whoever cares
  }

  /** @internal use startMultiClient() */
  start(): this {
    this.closeOnAbort(this.options.signal);
    this.loop = new RegistrationLoop({
      slots: 1,
      attempt: (context) => this.register(context),
      backoff: this.options.backoff,
      onState: (state) => {
        this.emit("state", state);
        if (state.state === "stopped" && state.error) this.fail(state.error);
      },
    });
    return this;
  }

  protected override async stopAccepting(): Promise<void> {
    await this.loop?.stop();
  }

  /** One registration: connect, send the request, wait for OK or EX. */
  private async register({
    signal,
    registered,
  }: RegistrationContext): Promise<RegistrationOutcome> {
    const { server, connectTimeoutMs } = this.options;
    const serverName = `server ${formatEndpoint(server)}`;
    let tunnel: Socket;
    try {
      tunnel = await dial({ ...server, timeoutMs: connectTimeoutMs, signal });
    } catch (err) {
      return { kind: "failed", error: err as FwdError };
    }
    this.track(tunnel);
    tunnel.write(this.request);
    registered();
    let reply: Parsed<LegacyReply>;
    try {
      reply = await readFrame(tunnel, new LegacyReplyParser(), {
        timeoutMs: this.options.registerTimeoutMs ?? DEFAULT_REGISTER_TIMEOUT_MS,
        what: serverName,
        signal,
      });
    } catch (err) {
      tunnel.destroy();
      if (isFwdError(err, ErrorCodes.TIMEOUT)) return { kind: "expired" };
      if (isFwdError(err, ErrorCodes.HANDSHAKE_CLOSED)) {
        const error = new FwdError(
          ErrorCodes.REFUSED,
          `${serverName} closed the registration for public port ${this.options.publicPort} without an answer`,
          { cause: err },
        );
        return { kind: "failed", error };
      }
      return { kind: "failed", error: err as FwdError };
    }
    if (reply.value === "ex") {
      tunnel.destroy();
      const error = new FwdError(
        ErrorCodes.ADDR_IN_USE,
        `${serverName} cannot open public port ${this.options.publicPort}: it is in use (by another client or program)`,
      );
      return { kind: "refused", error };
    }
    void this.relayToTarget(tunnel, reply.rest);
    return { kind: "paired" };
  }

  /** A public connection arrived through `tunnel`: connect to the target and relay. */
  private async relayToTarget(tunnel: Socket, head: Buffer): Promise<void> {
    const { server, target } = this.options;
    const info = this.opened(formatEndpoint(server));
    info.target = formatEndpoint(target);
    let upstream: Socket;
    try {
      upstream = await dial({
        ...target,
        timeoutMs: this.options.connectTimeoutMs,
        signal: this.shutdownSignal,
      });
    } catch (err) {
      tunnel.destroy();
      this.markFailed(info, err);
      return;
    }
    this.track(upstream);
    this.startRelay(tunnel, upstream, info, {
      idleTimeoutMs: this.options.idleTimeoutMs,
      head: { toB: head },
    });
  }
}

/** Starts a reverse-tunnel client; it registers in the background until closed. */
export async function startMultiClient(options: MultiClientOptions): Promise<MultiClient> {
  return new MultiClient(options).start();
}
