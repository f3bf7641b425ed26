import type { Relay, RelayCloseReason, RelaySummary } from "./relay.js";

/** How a connection ended: a relay's close reason, or "failed" when it was never relayed. */
export type ConnectionOutcome = RelayCloseReason | "failed";

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
  /** Connections that ended, by outcome. */
  outcomes: Partial<Record<ConnectionOutcome, number>>;
  /** Connections that failed, by error code. */
  failures: Record<string, number>;
}

/** Accumulates TrafficCounters; relays add their bytes live and on close. */
export class Traffic {
  private accepted = 0;
  private closedIn = 0;
  private closedOut = 0;
  private readonly outcomes: Partial<Record<ConnectionOutcome, number>> = {};
  private readonly failures: Record<string, number> = {};
  private readonly relays = new Set<Relay>();

  opened(): void {
    this.accepted++;
  }

  /** Takes back an opened() that was no connection after all. */
  retract(): void {
    this.accepted--;
  }

  /** A connection ended before it was relayed. */
  failedOne(code: string): void {
    this.count("failed");
    this.failures[code] = (this.failures[code] ?? 0) + 1;
  }

  /** Counts a relay whose `a` side is the accepted one. */
  relaying(relay: Relay): void {
    this.relays.add(relay);
    relay.once("close", (summary: RelaySummary) => {
      this.relays.delete(relay);
      this.closedIn += summary.bytes.aToB;
      this.closedOut += summary.bytes.bToA;
      this.count(summary.reason);
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
      failed: this.outcomes.failed ?? 0,
      bytesIn,
      bytesOut,
      outcomes: { ...this.outcomes },
      failures: { ...this.failures },
    };
  }

  private count(outcome: ConnectionOutcome): void {
    this.outcomes[outcome] = (this.outcomes[outcome] ?? 0) + 1;
  }
}
