/**
 * Keeps a flood of one kind of error (a port scanner, a target that is
 * down) from flooding the terminal or the journal: per kind, the first
 * lines of each window are written, the rest counted, and the count is
 * written when the window ends ("… 23 more in the last minute"). The first
 * line of each kind is always shown, so a new kind of trouble never hides
 * behind an old one.
 */
export interface RepeatLimiterOptions {
  /** Lines of one kind written per window (default 3). */
  perWindow?: number;
  /** The window, from the first line of a kind (default 60 s). */
  windowMs?: number;
}

interface KindWindow {
  shown: number;
  held: number;
  /** What the count line calls these lines: "connection errors ERR_FWD_TIMEOUT". */
  label: string;
  timer: NodeJS.Timeout;
}

export class RepeatLimiter {
  private readonly kinds = new Map<string, KindWindow>();
  private readonly perWindow: number;
  private readonly windowMs: number;

  constructor(
    private readonly write: (line: string, kind: string) => void,
    { perWindow = 3, windowMs = 60_000 }: RepeatLimiterOptions = {},
  ) {
    this.perWindow = perWindow;
    this.windowMs = windowMs;
  }

  /** Writes `text` unless `kind` has had its lines in this window; `label` names the kind in the count. */
  line(kind: string, text: string, label: string = kind): void {
    let window = this.kinds.get(kind);
    if (!window) {
      const timer = setTimeout(() => this.endWindow(kind), this.windowMs);
      timer.unref();
      window = { shown: 0, held: 0, label, timer };
      this.kinds.set(kind, window);
    }
    if (window.shown < this.perWindow) {
      window.shown++;
      this.write(text, kind);
    } else {
      window.held++;
    }
  }

  /** Writes every pending count now and forgets the windows (at stop). */
  flush(): void {
    for (const kind of [...this.kinds.keys()]) this.endWindow(kind);
  }

  private endWindow(kind: string): void {
    const window = this.kinds.get(kind);
    if (!window) return;
    clearTimeout(window.timer);
    this.kinds.delete(kind);
    if (window.held > 0) {
      this.write(
        `… ${window.held} more ${window.label} in the last ${describeWindow(this.windowMs)}`,
        kind,
      );
    }
  }
}

function describeWindow(ms: number): string {
  if (ms === 60_000) return "minute";
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
