import type { Socket } from "node:net";
import { type Endpoint, formatEndpoint } from "./address.js";
import { dial } from "./dial.js";
import { type ConnectionInfo, TcpService } from "./service.js";

export interface ForwardOptions {
  /** Where to listen. Port 0 picks a free port: read it back with address(). */
  bind: Endpoint;
  /** Where every accepted connection is relayed to. */
  target: Endpoint;
  /** Give up connecting to the target after this long (default 10 s). */
  connectTimeoutMs?: number;
  /** Close a connection after this long without a byte either way (default: never). */
  idleTimeoutMs?: number;
  /** Aborting stops the forwarder, as close() does. */
  signal?: AbortSignal;
}

/**
 * A local port forward: every connection to `bind` is relayed to `target`,
 * each independently, with half-close and backpressure. Create with forward().
 */
export class Forwarder extends TcpService {
  constructor(readonly options: ForwardOptions) {
    super();
  }

  /** @internal use forward() */
  async start(): Promise<this> {
    await this.listenOn(this.options.bind, { signal: this.options.signal });
    return this;
  }

  protected async serve(client: Socket, info: ConnectionInfo): Promise<void> {
    const { target, connectTimeoutMs, idleTimeoutMs } = this.options;
    info.target = formatEndpoint(target);
    const upstream = await dial({
      ...target,
      timeoutMs: connectTimeoutMs,
      signal: this.shutdownSignal,
    });
    this.track(upstream);
    this.startRelay(client, upstream, info, { idleTimeoutMs });
  }
}

/** Starts a local port forward and resolves once it listens. */
export async function forward(options: ForwardOptions): Promise<Forwarder> {
  return new Forwarder(options).start();
}
