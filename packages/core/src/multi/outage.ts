import { Backoff, type BackoffOptions } from "../backoff.js";
import { defaults } from "../defaults.js";
import { sleep } from "../sleep.js";

/**
 * Paces reconnect attempts while the server cannot be reached: one backoff
 * for the whole outage, however many registrations are being re-made. The
 * first retry comes within 250 ms, later ones at most a second apart (a
 * restarted server is found within a second), and after a long outage
 * every few seconds. Attempts may overlap: a dial that hangs (a WAN that
 * drops packets) does not hold up the next, so the first SYN that gets
 * through once the network is back is never long in coming. When the
 * server answers, every waiting attempt goes at once.
 */
export class Outage {
  private readonly backoff: Backoff;
  private startedAt: number | undefined;
  private nextAt = 0;
  private wake = new AbortController();

  constructor(
    options: BackoffOptions = {},
    private readonly long = { afterMs: defaults.longOutageMs, delayMs: defaults.backoffLongMs },
  ) {
    this.backoff = new Backoff(options);
  }

  get active(): boolean {
    return this.startedAt !== undefined;
  }

  /** How long the current outage has lasted (0 without one). */
  get durationMs(): number {
    return this.startedAt === undefined ? 0 : performance.now() - this.startedAt;
  }

  /** An attempt failed: starts the outage if none is on; returns the wait before the next attempt. */
  failed(): number {
    const now = performance.now();
    if (this.startedAt === undefined) {
      this.startedAt = now;
      this.backoff.reset();
      this.nextAt = now + this.delay();
    }
    return Math.round(Math.max(0, this.nextAt - now));
  }

  /** The server answered: the outage is over, waiting attempts go now. Returns how long it lasted. */
  ended(): number {
    const lasted = this.durationMs;
    if (this.startedAt === undefined) return 0;
    this.startedAt = undefined;
    this.wake.abort();
    this.wake = new AbortController();
    return lasted;
  }

  /** Waits for this attempt's turn: at once without an outage. Rejects when `signal` aborts. */
  async turn(signal: AbortSignal): Promise<void> {
    if (this.startedAt === undefined) return;
    const now = performance.now();
    const at = Math.max(now, this.nextAt);
    this.nextAt = at + this.delay();
    if (at <= now) return;
    try {
      await sleep(at - now, AbortSignal.any([signal, this.wake.signal]));
    } catch (err) {
      if (signal.aborted) throw err;
    }
  }

  private delay(): number {
    return this.durationMs > this.long.afterMs ? this.long.delayMs : this.backoff.next();
  }
}
