/**
 * Caps how many lines of one kind reach the log per window, so a flood of
 * bad connections cannot flood the terminal or the journal. What is held
 * back is counted and reported once the window ends.
 */
export class LineLimiter {
  private inWindow = 0;
  private suppressed = 0;
  private windowTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (line: string) => void,
    private readonly maxLines = 20,
    private readonly windowMs = 10_000,
  ) {}

  line(text: string): void {
    if (!this.windowTimer) {
      this.windowTimer = setTimeout(() => this.endWindow(), this.windowMs);
      this.windowTimer.unref();
    }
    if (this.inWindow < this.maxLines) {
      this.inWindow++;
      this.write(text);
    } else {
      this.suppressed++;
    }
  }

  private endWindow(): void {
    this.windowTimer = undefined;
    this.inWindow = 0;
    if (this.suppressed > 0) {
      this.write(
        `${this.suppressed} more connection errors in the last ${this.windowMs / 1000} s not shown (DEBUG=fwd:* shows each)`,
      );
      this.suppressed = 0;
    }
  }
}
