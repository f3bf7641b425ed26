/**
 * Milliseconds on one clock every process on the machine shares (the epoch,
 * with sub-millisecond steps): the agents in the namespaces stamp events with
 * it, so the test process can subtract their stamps from its own.
 */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

/** Waits a wall-clock fault duration (a blackout's length): never a stand-in for an event. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
