import type { Socket } from "node:net";
import { Acceptor } from "./acceptor.js";
import { type Endpoint, formatEndpoint } from "./address.js";
import type { ConnectionRecord } from "./connection-info.js";
import { dial } from "./dial.js";
import { FwdService } from "./service.js";

export interface ForwardOptions {
  /** Where to listen. Port 0 picks a free port: read it back with address(). */
  bind: Endpoint;
  /** Where every accepted connection is relayed to. */
  target: Endpoint;
  /** Give up connecting to the target after this long (default 10 s). */
  connectTimeoutMs?: number | undefined;
  /** Close a connection after this long without a byte either way (default: never). */
  idleTimeoutMs?: number | undefined;
  /** Aborting destroys the forwarder. */
  signal?: AbortSignal | undefined;
}

/**
 * A local port forward: every connection to `bind` is relayed to `target`,
 * each independently, with half-close and backpressure. Start it with
 * start(), or create and start it at once with forward().
 */
export class Forwarder extends FwdService {
  readonly #options: ForwardOptions;
  readonly #acceptor: Acceptor;

  constructor(options: ForwardOptions) {
    super(options.signal);
    this.#options = options;
    this.#acceptor = new Acceptor(this.hub, (socket, record) => this.#serve(socket, record), {
      bind: options.bind,
    });
  }

  /** The address it listens on (the real port when 0 was asked for). */
  address(): Endpoint {
    return this.#acceptor.address();
  }

  /** @internal */
  protected onStart(): Promise<void> {
    return this.#acceptor.listen();
  }

  /** @internal */
  protected async stopAccepting(): Promise<void> {
    this.#acceptor.close();
  }

  async #serve(client: Socket, record: ConnectionRecord): Promise<void> {
    const { target, connectTimeoutMs, idleTimeoutMs } = this.#options;
    record.target = formatEndpoint(target);
    const upstream = await dial({
      zeroCopy: true,
      ...target,
      timeoutMs: connectTimeoutMs,
      signal: this.hub.signal,
    });
    this.hub.track(upstream);
    this.hub.startRelay(client, upstream, record, { idleTimeoutMs });
  }
}

/** Starts a local port forward and resolves once it listens. */
export function forward(options: ForwardOptions): Promise<Forwarder> {
  return new Forwarder(options).start();
}
