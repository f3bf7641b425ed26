import type { Socket } from "node:net";
import { type Endpoint, formatEndpoint } from "../address.js";
import type { BackoffOptions } from "../backoff.js";
import {
  awaitPaired,
  type ClientRequest,
  chooseProtocol,
  isFatalHandshakeError,
  readLegacyReply,
  requestV2,
  sendLegacyRequest,
} from "../client-handshake.js";
import { ConnectionHub } from "../connection-hub.js";
import { dial } from "../dial.js";
import { ErrorCodes, FwdError, invalidArg, isFwdError } from "../errors.js";
import { encodeLegacyRequest, padUniqueId } from "../protocol/legacy.js";
import type { TunnelClientOptions } from "../tunnel-options.js";
import { DEFAULT_HANDSHAKE_TIMEOUT_MS } from "../user-server.js";
import {
  type RegistrationContext,
  RegistrationLoop,
  type RegistrationOutcome,
  type RegistrationState,
} from "./registration-loop.js";

/** Registrations kept waiting at a v2 server (a legacy server takes one). */
const V2_WAITING_REGISTRATIONS = 4;

/** The legacy client's wait for a pairing before it registers anew. */
export const DEFAULT_REGISTER_TIMEOUT_MS = 30_000;

export interface MultiClientOptions extends TunnelClientOptions {
  /** Where each public connection is relayed to, on this side. */
  target: Endpoint;
  /** The port the server opens for the public. */
  publicPort: number;
  /** The address the server binds it to (legacy: default 0.0.0.0; v2: default the server's choice). */
  publicHost?: string | undefined;
  /** Renew a registration that nothing paired within this long (default 30 s). */
  registerTimeoutMs?: number | undefined;
  /** Retry delays after failures (default 250 ms doubling up to 5 s, with jitter). */
  backoff?: BackoffOptions | undefined;
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
  private readonly protocol: "legacy" | "v2";
  private readonly request: ClientRequest;
  private loop: RegistrationLoop | undefined;

  constructor(readonly options: MultiClientOptions) {
    super();
    this.protocol = chooseProtocol(options.protocol ?? "auto", options.token, "0.0.0.0");
    const legacy = this.protocol === "legacy";
    this.request = {
      kind: "register",
      host: options.publicHost ?? (legacy ? "0.0.0.0" : ""),
      port: options.publicPort,
      uniqueId: padUniqueId(options.uniqueId ?? ""),
    };
    if (legacy) {
      if (options.token) throw invalidArg("a token needs the v2 protocol; drop --protocol=legacy");
      encodeLegacyRequest(this.request); // a request the frame cannot carry fails at start
    }
  }

  /** @internal use startMultiClient() */
  start(): this {
    this.closeOnAbort(this.options.signal);
    this.loop = new RegistrationLoop({
      // A legacy server keeps one registration per port and replaces it with
      // the next; a v2 (fwd) server keeps them all, so bursts need no wait.
      slots: this.protocol === "v2" ? V2_WAITING_REGISTRATIONS : 1,
      attempt: (context) => this.register(context),
      backoff: this.options.backoff,
      onState: (state) => {
        this.emit("state", state);
        if (state.state === "stopped" && state.error) this.failFatally(state.error);
      },
    });
    return this;
  }

  protected override async stopAccepting(): Promise<void> {
    await this.loop?.stop();
  }

  /** One registration: connect, register, wait for a pairing. */
  private async register({
    signal,
    registered,
  }: RegistrationContext): Promise<RegistrationOutcome> {
    const { server, tls } = this.options;
    let tunnel: Socket;
    try {
      tunnel = await dial({ ...server, tls, timeoutMs: this.options.connectTimeoutMs, signal });
    } catch (err) {
      return outcomeOf(err);
    }
    this.track(tunnel);
    try {
      const rest = await this.awaitPairing(tunnel, signal, registered);
      if (rest === "expired") {
        tunnel.destroy();
        return { kind: "expired" };
      }
      void this.relayToTarget(tunnel, rest);
      return { kind: "paired" };
    } catch (err) {
      tunnel.destroy();
      return outcomeOf(err);
    }
  }

  /**
   * Registers on `tunnel` and resolves with the bytes after the pairing, or
   * "expired" when no public connection came within the register timeout.
   */
  private async awaitPairing(
    tunnel: Socket,
    signal: AbortSignal,
    registered: () => void,
  ): Promise<Buffer | "expired"> {
    const what = `server ${formatEndpoint(this.options.server)}`;
    const pairingTimeoutMs = this.options.registerTimeoutMs ?? DEFAULT_REGISTER_TIMEOUT_MS;
    const port = this.options.publicPort;
    if (this.protocol === "v2") {
      const rest = await requestV2(tunnel, this.request, {
        token: this.options.token,
        timeoutMs: this.options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
        what,
        signal,
      });
      registered();
      return expiring(
        awaitPaired(tunnel, { timeoutMs: pairingTimeoutMs, what, signal, initial: rest }).then(
          (paired) => paired.rest,
        ),
      );
    }
    sendLegacyRequest(tunnel, this.request);
    registered();
    return expiring(
      readLegacyReply(
        tunnel,
        { timeoutMs: pairingTimeoutMs, what, signal },
        {
          ex: new FwdError(
            ErrorCodes.ADDR_IN_USE,
            `${what} cannot open public port ${port}: it is in use (by another client or program)`,
          ),
          closed: new FwdError(
            ErrorCodes.REFUSED,
            `${what} closed the registration for public port ${port} without an answer`,
          ),
        },
      ),
    );
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

/** How a failed registration attempt counts for the retry loop. */
function outcomeOf(err: unknown): RegistrationOutcome {
  const error = isFwdError(err)
    ? err
    : new FwdError(ErrorCodes.NETWORK, String(err), { cause: err });
  if (isFatalHandshakeError(error)) return { kind: "fatal", error };
  if (error.code === ErrorCodes.ADDR_IN_USE) return { kind: "refused", error };
  return { kind: "failed", error };
}

/** A wait for a pairing that timed out is not a failure: the registration expired. */
async function expiring(pairing: Promise<Buffer>): Promise<Buffer | "expired"> {
  try {
    return await pairing;
  } catch (err) {
    if (isFwdError(err, ErrorCodes.TIMEOUT)) return "expired";
    throw err;
  }
}
