import type { Socket } from "node:net";
import { formatEndpoint } from "./address.js";
import type { ProtocolPlan } from "./client-handshake.js";
import { dial } from "./dial.js";
import { serverProtocols } from "./server-protocols.js";
import type { TunnelClientOptions } from "./tunnel-options.js";

/**
 * The server a tunnel client talks to: its address, the protocol it speaks
 * (what auto mode learned of it), and how to reach it.
 */
export class TunnelServer {
  /** host:port, as messages and the protocol memory name it. */
  readonly address: string;

  constructor(
    private readonly options: TunnelClientOptions,
    readonly plan: ProtocolPlan,
  ) {
    this.address = formatEndpoint(options.server);
  }

  /** What to speak now: v2 unless auto mode learned that this server is legacy. */
  speaks(): "legacy" | "v2" {
    if (this.plan !== "v2-or-legacy") return this.plan;
    return serverProtocols.isLegacy(this.address) ? "legacy" : "v2";
  }

  /** Auto mode learned (or unlearned) that this server speaks legacy only. */
  learned(legacy: boolean): void {
    if (legacy) serverProtocols.markLegacy(this.address);
    else serverProtocols.forget(this.address);
  }

  /**
   * Connects (TLS included) for a link that only relay() reads. An
   * unreachable server may come back upgraded: auto mode asks v2 again.
   */
  async dial(signal: AbortSignal): Promise<Socket> {
    const { server, tls, connectTimeoutMs } = this.options;
    try {
      return await dial({ ...server, tls, timeoutMs: connectTimeoutMs, signal, zeroCopy: true });
    } catch (err) {
      this.learned(false);
      throw err;
    }
  }
}
