/** What the bench needs from each configuration it compares. */

/** A configuration that is up, forwarding to the requested targets. */
export interface Running {
  /** The port to connect to for each target, in the order they were asked for. */
  entries: number[];
  /** Memory of the processes that relay the traffic (KiB; summed for two-process pairs). */
  memoryKb(): number;
  /**
   * The processes that relay the traffic; the CPU figure counts each with all
   * its descendants (sshd and socat fork per connection). Empty: no forwarder.
   */
  pids(): number[];
  /** Facts of this start worth a note in the report, read once it is stopped (status scrapes made). */
  notes?(): string[];
  stop(): Promise<void>;
}

export interface Config {
  /** Short id, used in latest.json and by --only. */
  key: string;
  /** Name in the table and chart. */
  label: string;
  /** Forwarding processes a byte passes through (added latency is divided by it). */
  hops: number;
  /** Why it cannot run here (a tool is not installed), or undefined if it can. */
  missing(): string | undefined;
  /**
   * Serves one connection at a time (the legacy relay): figures that need two
   * connections at once (iperf3, idle connections) are n/a, not errors.
   */
  oneAtATime?: boolean;
  /**
   * Forks a process per connection (socat): the idle-memory test holds at most
   * this many connections, and reports memory per connection all the same.
   */
  idleLimit?: number;
  /** Left out of --quick (unless named by --only): CI's smoke run stays short. */
  fullRunOnly?: boolean;
  start(targets: readonly number[]): Promise<Running>;
}
