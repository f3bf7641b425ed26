import type { Socket } from "node:net";
import { type Endpoint, formatEndpoint } from "../address.js";
import type { BackoffOptions } from "../backoff.js";
import {
  awaitPaired,
  type ClientRequest,
  isFatalHandshakeError,
  readLegacyReply,
  requestV2,
  resolveProtocol,
  sendLegacyRequest,
} from "../client-handshake.js";
import { defaults } from "../defaults.js";
import { dial } from "../dial.js";
import { ErrorCodes, FwdError, isFwdError, toFwdError } from "../errors.js";
import { padUniqueId } from "../protocol/legacy.js";
import { FwdService } from "../service.js";
import type { TunnelClientOptions } from "../tunnel-options.js";
import {
  type RegistrationContext,
  RegistrationLoop,
  type RegistrationOutcome,
  type RegistrationState,
} from "./registration-loop.js";

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
 * server replaces a waiting registration with a newer one). Start it with
 * start(), or at once with startMultiClient().
 */
export class MultiClient extends FwdService<MultiClientEvents> {
  readonly #options: MultiClientOptions;
  readonly #protocol: "legacy" | "v2";
  readonly #request: ClientRequest;
  #loop: RegistrationLoop | undefined;

  constructor(options: MultiClientOptions) {
    super(options.signal);
    this.#options = options;
    const legacyDefault = defaults.publicHost;
    this.#protocol = resolveProtocol(
      options.protocol ?? "auto",
      options.token,
      options.publicHost ?? legacyDefault,
      "publicHost",
    );
    const legacy = this.#protocol === "legacy";
    this.#request = {
      kind: "register",
      host: options.publicHost ?? (legacy ? legacyDefault : ""),
      port: options.publicPort,
      uniqueId: padUniqueId(options.uniqueId ?? ""),
    };
  }

  /** The handshake it speaks with the server. */
  get protocol(): "legacy" | "v2" {
    return this.#protocol;
  }

  /** @internal */
  protected async onStart(): Promise<void> {
    this.#loop = new RegistrationLoop({
      // A legacy server keeps one registration per port and replaces it with
      // the next; a v2 (fwd) server keeps them all, so bursts need no wait.
      slots: this.#protocol === "v2" ? defaults.v2WaitingRegistrations : 1,
      attempt: (context) => this.#register(context),
      backoff: this.#options.backoff,
      onState: (state) => {
        this.emit("state", state);
        if (state.state === "stopped" && state.error) this.fail(state.error);
      },
    });
  }

  /** Stops registering; waiting registrations close, relays go on. @internal */
  protected async stopAccepting(): Promise<void> {
    await this.#loop?.stop();
  }

  /** One registration: connect, register, wait for a pairing. */
  async #register({ signal, registered }: RegistrationContext): Promise<RegistrationOutcome> {
    const { server, tls } = this.#options;
    let tunnel: Socket;
    try {
      tunnel = await dial({ ...server, tls, timeoutMs: this.#options.connectTimeoutMs, signal });
    } catch (err) {
      return outcomeOf(err);
    }
    this.hub.track(tunnel);
    try {
      const rest = await this.#awaitPairing(tunnel, signal, registered);
      if (rest === "expired") {
        tunnel.destroy();
        return { kind: "expired" };
      }
      void this.#relayToTarget(tunnel, rest);
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
  async #awaitPairing(
    tunnel: Socket,
    signal: AbortSignal,
    registered: () => void,
  ): Promise<Buffer | "expired"> {
    const what = `server ${formatEndpoint(this.#options.server)}`;
    const pairingTimeoutMs = this.#options.registerTimeoutMs ?? defaults.registerTimeoutMs;
    const port = this.#options.publicPort;
    if (this.#protocol === "v2") {
      const rest = await requestV2(tunnel, this.#request, {
        token: this.#options.token,
        timeoutMs: this.#options.handshakeTimeoutMs ?? defaults.handshakeTimeoutMs,
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
    sendLegacyRequest(tunnel, this.#request);
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
  async #relayToTarget(tunnel: Socket, head: Buffer): Promise<void> {
    const { server, target } = this.#options;
    const record = this.hub.open(formatEndpoint(server));
    record.target = formatEndpoint(target);
    let upstream: Socket;
    try {
      upstream = await dial({
        ...target,
        timeoutMs: this.#options.connectTimeoutMs,
        signal: this.hub.signal,
      });
    } catch (err) {
      tunnel.destroy();
      this.hub.fail(record, err);
      return;
    }
    this.hub.track(upstream);
    this.hub.startRelay(tunnel, upstream, record, {
      idleTimeoutMs: this.#options.idleTimeoutMs,
      head: { toB: head },
    });
  }
}

/** Starts a reverse-tunnel client; it registers in the background until closed. */
export function startMultiClient(options: MultiClientOptions): Promise<MultiClient> {
  return new MultiClient(options).start();
}

/** How a failed registration attempt counts for the retry loop. */
function outcomeOf(err: unknown): RegistrationOutcome {
  const error = toFwdError(err);
  if (isFatalHandshakeError(error)) return { kind: "fatal", error };
  if (error.code === ErrorCodes.ADDR_IN_USE) return { kind: "refused", error };
  return { kind: "error", error };
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
