/**
 * Exponential backoff with jitter for reconnect loops: each failure waits
 * longer, up to a cap, and the jitter keeps many clients from retrying in
 * lockstep after a server restart.
 */
import { defaults } from "./defaults.js";

export interface BackoffOptions {
  /** The first delay, before jitter (default 250 ms). */
  initialMs?: number;
  /** The cap, before jitter (default 1 s). */
  maxMs?: number;
  /** Growth per failure (default 2). */
  factor?: number;
  /** Source of randomness in [0, 1), replaceable in tests. */
  random?: () => number;
}

export class Backoff {
  private failures = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? defaults.backoffInitialMs;
    this.maxMs = options.maxMs ?? defaults.backoffMaxMs;
    this.factor = options.factor ?? 2;
    this.random = options.random ?? Math.random;
  }

  /**
   * The delay before the next attempt after one more failure: "equal jitter",
   * half of the exponential step plus a random share of the other half, so
   * the delay never drops below half the step nor exceeds the cap.
   */
  next(): number {
    const step = Math.min(this.maxMs, this.initialMs * this.factor ** this.failures);
    this.failures++;
    return Math.round(step / 2 + this.random() * (step / 2));
  }

  /** Call after a success: the next failure starts from the first delay again. */
  reset(): void {
    this.failures = 0;
  }

  /** Failures since the last reset. */
  get attempts(): number {
    return this.failures;
  }
}
