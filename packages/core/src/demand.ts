/**
 * How many new connections a tunnel sees per second, over the last second:
 * what its ready links or waiting registrations are sized to.
 */
export class Demand {
  private readonly times: number[] = [];

  constructor(private readonly windowMs = 1000) {}

  /** One more connection now. */
  note(): void {
    const now = performance.now();
    this.times.push(now);
    this.trim(now);
  }

  /** Connections per second over the window. */
  get rate(): number {
    this.trim(performance.now());
    return (this.times.length * 1000) / this.windowMs;
  }

  /**
   * Links to keep ready for connections arriving at this rate, given how
   * long one link takes to make: twice what arrives meanwhile, within bounds.
   */
  size(makeMs: number, min: number, max: number): number {
    const needed = Math.ceil((this.rate * 2 * Math.max(makeMs, 1)) / 1000);
    return Math.min(max, Math.max(min, needed));
  }

  private trim(now: number): void {
    while (this.times.length > 0 && this.times[0]! < now - this.windowMs) this.times.shift();
    // Bounded whatever the rate: the size is capped far below this anyway.
    if (this.times.length > 4096) this.times.splice(0, this.times.length - 4096);
  }
}
