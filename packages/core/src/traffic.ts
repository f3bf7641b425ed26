import type { Relay, RelaySummary } from "./relay.js";

/** Counters a service keeps over all its connections, live ones included. */
export interface TrafficCounters {
  /** Connections taken on since start. */
  accepted: number;
  /** Connections being relayed now. */
  active: number;
  /** Connections that ended without being relayed (target unreachable, bad handshake, …). */
  failed: number;
  /** Bytes from the accepting side to the far side, and back. */
  bytesIn: number;
  bytesOut: number;
}

/** Accumulates TrafficCounters; relays add their bytes live and on close. */
export class Traffic {
  private accepted = 0;
  private failed = 0;
  private closedIn = 0;
  private closedOut = 0;
  private readonly relays = new Set<Relay>();

  opened(): void {
    this.accepted++;
  }

  /** A connection ended before it was relayed. */
  failedOne(): void {
    this.failed++;
  }

  /** Counts a relay whose `a` side is the accepted one. */
  relaying(relay: Relay): void {
    this.relays.add(relay);
    relay.once("close", (summary: RelaySummary) => {
      this.relays.delete(relay);
      this.closedIn += summary.bytes.aToB;
      this.closedOut += summary.bytes.bToA;
    });
  }

  snapshot(): TrafficCounters {
    let bytesIn = this.closedIn;
    let bytesOut = this.closedOut;
    for (const relay of this.relays) {
      bytesIn += relay.bytes.aToB;
      bytesOut += relay.bytes.bToA;
    }
    return {
      accepted: this.accepted,
      active: this.relays.size,
      failed: this.failed,
      bytesIn,
      bytesOut,
    };
  }
}
