import type { Socket } from "node:net";
import { type Endpoint, formatEndpoint } from "../address.js";
import type { BackoffOptions } from "../backoff.js";
import {
  type ClientRequest,
  closedWithoutReply,
  isFatalHandshakeError,
  readLegacyReply,
  resolveProtocol,
  sendLegacyRequest,
} from "../client-handshake.js";
import { looksLegacy, neitherProtocol, requestV2 } from "../client-v2.js";
import { defaults } from "../defaults.js";
import { Demand } from "../demand.js";
import { dial } from "../dial.js";
import { ErrorCodes, FwdError, isFwdError, toFwdError } from "../errors.js";
import { Link } from "../link.js";
import { padUniqueId } from "../protocol/legacy.js";
import { ACCEPT_FRAME, decodeOffer, FrameType } from "../protocol/v2.js";
import { FwdService } from "../service.js";
import type { TunnelClientOptions } from "../tunnel-options.js";
import { TunnelServer } from "../tunnel-server.js";
import {
  type RegistrationContext,
  RegistrationLoop,
  type RegistrationOutcome,
  type RegistrationState,
} from "./registration-loop.js";

export interface MultiClientOptions extends TunnelClientOptions {
  /** Where each public connection is relayed to, on this side. */
  target: Endpoint;
  /** The port the server opens for the public (0: any free port, v2 only; see status()). */
  publicPort: number;
  /** The address the server binds it to (legacy: default 0.0.0.0; v2: default the server's choice). */
  publicHost?: string | undefined;
  /** Legacy: renew a registration that nothing paired within this long (default 30 s). */
  registerTimeoutMs?: number | undefined;
  /** Retry pacing in an outage (default: first retry within 250 ms, then at most 1 s apart, with jitter). */
  backoff?: BackoffOptions | undefined;
}

export interface MultiClientEvents {
  /** The tunnel's state changed (reported once per change, not per attempt). */
  state: [state: RegistrationState];
}

/** What a multi-client is doing, for status displays. */
export interface MultiClientStatus {
  /** "connecting" until the first attempt says more. */
  state: RegistrationState["state"] | "connecting";
  /** When it entered that state (ms since the epoch). */
  since: number;
  error?: FwdError | undefined;
  /** The protocol the server speaks, once known. */
  protocol: "legacy" | "v2" | undefined;
  /** The public port: as the server opened it, else as asked. */
  publicPort: number;
  /** Registrations waiting at the server now. */
  waiting: number;
  /** Last heartbeat round trip to the server. */
  rttMs: number | undefined;
}

/**
 * The client of the reverse tunnel: keeps registrations waiting at the
 * multi-server; when the server offers a visitor on one, it takes it,
 * registers anew and relays the visitor to the target. Over v2 it keeps
 * several registrations waiting, each with heartbeats both ways, so a path
 * that died (a router that forgot the connection) is replaced within
 * seconds; against a legacy server exactly one waits, as the legacy client
 * did. In auto mode it speaks v2 and falls back to legacy when the server
 * turns out to be a legacy one. Start it with start(), or at once with
 * startMultiClient().
 */
export class MultiClient extends FwdService<MultiClientEvents> {
  readonly #options: MultiClientOptions;
  readonly #request: ClientRequest;
  readonly #server: TunnelServer;
  readonly #links = new Set<Link>();
  #loop: RegistrationLoop | undefined;
  #protocol: "legacy" | "v2" | undefined;
  /** Legacy was only inferred from a v2 hang-up: the first legacy attempt tests it. */
  #legacyUntested = false;
  /** Visitors per second: registrations kept waiting grow with it. */
  readonly #demand = new Demand();
  /** A smoothed time to make a registration. */
  #registerMs = 50;
  #state: RegistrationState | undefined;
  #since = Date.now();

  constructor(options: MultiClientOptions) {
    super(options.signal);
    this.#options = options;
    const plan = resolveProtocol(
      options.protocol ?? "auto",
      options.token,
      options.publicHost ?? defaults.publicHost,
      "publicHost",
    );
    this.#server = new TunnelServer(options, plan);
    if (plan === "legacy" && options.publicPort === 0) {
      throw new FwdError(
        ErrorCodes.INVALID_ARG,
        "`publicPort` 0 (any free port) needs protocol v2: a legacy server cannot say which port it opened",
        { option: "publicPort", value: 0 },
      );
    }
    this.#request = {
      kind: "register",
      host: options.publicHost ?? "",
      port: options.publicPort,
      uniqueId: padUniqueId(options.uniqueId ?? ""),
    };
  }

  /** The protocol the server speaks, once known. */
  get protocol(): "legacy" | "v2" | undefined {
    return this.#protocol;
  }

  /** What the tunnel is doing now. */
  status(): MultiClientStatus {
    let rttMs: number | undefined;
    for (const link of this.#links) rttMs = link.rttMs ?? rttMs;
    const state = this.#state;
    return {
      state: state?.state ?? "connecting",
      since: this.#since,
      error: state && "error" in state ? state.error : undefined,
      protocol: this.#protocol,
      publicPort: this.#request.port,
      waiting: this.#links.size,
      rttMs,
    };
  }

  /** @internal */
  protected async onStart(): Promise<void> {
    this.#loop = new RegistrationLoop({
      // A legacy server keeps one registration per port and replaces it with
      // the next; a fwd server keeps them all, four or more while visitors
      // come fast. Until the server is known, one registration asks.
      slots: () =>
        this.#protocol === "v2"
          ? this.#demand.size(
              this.#registerMs,
              defaults.v2WaitingRegistrations,
              defaults.maxWaitingPerPort / 2,
            )
          : 1,
      attempt: (context) => this.#register(context),
      backoff: this.#options.backoff,
      onState: (state) => {
        this.#state = state;
        this.#since = Date.now();
        this.emit("state", state);
        if (state.state === "stopped" && state.error) this.fail(state.error);
      },
    });
  }

  /** Stops registering; waiting registrations close, relays go on. @internal */
  protected async stopAccepting(): Promise<void> {
    await this.#loop?.stop();
  }

  /** One registration: connect, register, wait for a visitor. */
  async #register(context: RegistrationContext): Promise<RegistrationOutcome> {
    let tunnel: Socket;
    try {
      tunnel = await this.#server.dial(context.signal);
    } catch (err) {
      return outcomeOf(err);
    }
    this.hub.track(tunnel);
    try {
      return this.#server.speaks() === "v2"
        ? await this.#registerV2(tunnel, context)
        : await this.#registerLegacy(tunnel, context);
    } catch (err) {
      tunnel.destroy();
      if (this.#server.plan === "v2-or-legacy" && looksLegacy(err)) {
        this.#server.learned(true);
        this.#legacyUntested = true;
        return { kind: "again" };
      }
      if (this.#legacyUntested && closedWithoutReply(err)) {
        // A legacy server keeps a registration waiting; one hung up at once speaks neither.
        this.#legacyUntested = false;
        this.#server.learned(false);
        return outcomeOf(neitherProtocol(`server ${this.#server.address}`, err));
      }
      return outcomeOf(err);
    }
  }

  async #registerV2(tunnel: Socket, context: RegistrationContext): Promise<RegistrationOutcome> {
    const started = performance.now();
    const granted = await requestV2(tunnel, this.#request, {
      token: this.#options.token,
      timeoutMs: this.#options.handshakeTimeoutMs ?? defaults.handshakeTimeoutMs,
      what: `server ${this.#server.address}`,
      signal: context.signal,
    });
    // Asked for any port: keep the one the server opened for the next registrations.
    this.#request.port = granted.port;
    this.#registerMs = 0.8 * this.#registerMs + 0.2 * (performance.now() - started);
    this.#protocol = "v2";
    context.registered("v2", granted.port);
    return this.#waitForVisitor(tunnel, granted.rest, context.signal);
  }

  /** Waits on a registered link for an offer, answering heartbeats, until it dies or the loop stops. */
  #waitForVisitor(tunnel: Socket, rest: Buffer, signal: AbortSignal): Promise<RegistrationOutcome> {
    return new Promise((resolve) => {
      const what = `server ${this.#server.address}`;
      const done = (outcome: RegistrationOutcome) => {
        this.#links.delete(link);
        signal.removeEventListener("abort", onAbort);
        resolve(outcome);
      };
      const link: Link = new Link(tunnel, {
        initial: rest,
        heartbeatMs: this.#options.heartbeatIntervalMs ?? defaults.heartbeatIntervalMs,
        what,
        onFrame: (frame) => {
          if (frame.type !== FrameType.OFFER) {
            link.kill(
              new FwdError(
                ErrorCodes.PROTOCOL,
                `${what} sent frame type ${frame.type} to a waiting registration`,
              ),
            );
            return;
          }
          const { publicPeer } = decodeOffer(frame.body);
          this.#demand.note();
          const head = link.release();
          tunnel.write(ACCEPT_FRAME);
          void this.#relayToTarget(tunnel, head, publicPeer);
          done({ kind: "paired" });
        },
        onDead: (error) => {
          // One link gone silent: the others likely share its fate (a NAT
          // that forgot them all); ask them now rather than at their deadline.
          if (error.code === ErrorCodes.TIMEOUT) this.#probeLinks(link);
          done({ kind: "lost", error });
        },
      });
      const onAbort = () =>
        link.kill(new FwdError(ErrorCodes.ABORTED, "the client stopped registering"));
      this.#links.add(link);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  #probeLinks(dead: Link): void {
    for (const link of this.#links) {
      if (link !== dead) link.probe(Math.max(1000, 4 * (link.rttMs ?? 250)));
    }
  }

  async #registerLegacy(
    tunnel: Socket,
    context: RegistrationContext,
  ): Promise<RegistrationOutcome> {
    const what = `server ${this.#server.address}`;
    const port = this.#request.port;
    const request = { ...this.#request, host: this.#request.host || defaults.publicHost };
    sendLegacyRequest(tunnel, request);
    context.requested();
    const untested = this.#legacyUntested;
    let head: Buffer;
    try {
      head = await readLegacyReply(
        tunnel,
        {
          timeoutMs: this.#options.registerTimeoutMs ?? defaults.registerTimeoutMs,
          what,
          signal: context.signal,
        },
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
      );
    } catch (err) {
      if (isFwdError(err, ErrorCodes.TIMEOUT)) {
        this.#legacyUntested = false; // a legacy server waited with it: legacy it is
        tunnel.destroy();
        return { kind: "expired" };
      }
      throw err;
    }
    if (untested) this.#legacyUntested = false;
    // A legacy server answers only when a visitor comes: its OK is the proof the port is open.
    this.#protocol = "legacy";
    context.registered("legacy", port);
    void this.#relayToTarget(tunnel, head, "a visitor");
    return { kind: "paired" };
  }

  /** A visitor arrived through `tunnel`: connect to the target and relay. */
  async #relayToTarget(tunnel: Socket, head: Buffer, visitor: string): Promise<void> {
    const { target } = this.#options;
    const record = this.hub.open(visitor);
    record.target = formatEndpoint(target);
    let upstream: Socket;
    try {
      upstream = await dial({
        zeroCopy: true,
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
