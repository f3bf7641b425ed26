/**
 * The tunnels a program runs, by name. It starts them from a configuration,
 * moves them to the next one on a reload (unchanged tunnels keep every
 * connection, removed ones drain, added ones start, changed ones are
 * replaced), drains them all at stop, and answers for their status rows.
 */
import type { TunnelStatus } from "@fwd/status";
import type { ResolvedConfig, ResolvedTunnel } from "../config/resolve.js";
import type { FlagSpecs } from "../flags.js";
import type { Logger } from "../logger.js";
import { describeConnections, describeOpen, trafficSummary } from "../service-log.js";
import { warnAboutHosts } from "./host-check.js";
import { TunnelInstance } from "./instance.js";
import { codeOf, inTunnel, placeError, saying } from "./place-error.js";
import type { ProgramStatus, RunningTunnel, TunnelProgram } from "./program.js";
import { addTotals, emptyTotals, type LastError, type Totals, tunnelRow } from "./tunnel-row.js";

export type ClosedListener = (event: {
  tunnel: string;
  outcome: string;
  durationSeconds: number;
}) => void;

/** A tunnel by name: the instance serving, and earlier ones still draining. */
interface Entry<T extends RunningTunnel> {
  name: string;
  current: TunnelInstance<T> | undefined;
  draining: Set<TunnelInstance<T>>;
  carried: Totals;
  lastError: LastError | undefined;
}

export interface TunnelSetOptions {
  log: Logger;
  env: NodeJS.ProcessEnv;
  /** How long a removed or replaced tunnel may drain (read at each reload). */
  drainMs: () => number;
}

/** What a reload did, for its one log line. */
export interface ReloadOutcome {
  started: string[];
  stopped: string[];
  restarted: { name: string; keys: string[] }[];
  unchanged: number;
  /** Tunnels that could not start (their error is logged already). */
  failed: string[];
}

export class TunnelSet<F extends FlagSpecs, T extends RunningTunnel = RunningTunnel> {
  #config: ResolvedConfig<F> | undefined;
  readonly #entries = new Map<string, Entry<T>>();
  readonly #closedListeners = new Set<ClosedListener>();
  #stopping = false;
  #fail!: (error: unknown) => void;
  /** Rejects when a tunnel stops on an error it cannot go on from (a wrong token). */
  readonly done: Promise<void>;

  constructor(
    private readonly program: TunnelProgram<F, T>,
    private readonly options: TunnelSetOptions,
  ) {
    this.done = new Promise((_resolve, reject) => {
      this.#fail = reject;
    });
    this.done.catch(() => {});
  }

  get config(): ResolvedConfig<F> {
    if (!this.#config) throw new Error("TunnelSet.start() was not called");
    return this.#config;
  }

  /** Starts every tunnel; if one cannot start, stops the others and throws its error. */
  async start(config: ResolvedConfig<F>): Promise<void> {
    this.#config = config;
    try {
      const starters = config.tunnels.map((tunnel) => [tunnel, this.#prepare(tunnel)] as const);
      for (const [tunnel, starter] of starters) await this.#launch(tunnel, starter);
    } catch (err) {
      await this.destroy();
      throw err;
    }
    this.#checkHosts(config.tunnels);
  }

  #checkHosts(tunnels: readonly ResolvedTunnel<F>[]): void {
    warnAboutHosts(this.program, tunnels, (name) =>
      name === undefined ? this.options.log : this.#logFor(name),
    );
  }

  /**
   * Moves to `next`. Every tunnel to start is checked first: a value it
   * cannot use (an unreadable token file) throws and changes nothing.
   */
  async apply(next: ResolvedConfig<F>, diff: ChangedTunnels<F>): Promise<ReloadOutcome> {
    const { added, removed, changed, unchanged } = diff;
    const starters = new Map(
      [...added, ...changed.map((change) => change.next)].map((tunnel) => [
        tunnel.name,
        this.#prepare(tunnel),
      ]),
    );
    const outcome: ReloadOutcome = {
      started: [],
      stopped: [],
      restarted: [],
      unchanged: unchanged.length,
      failed: [],
    };
    const running = new Map(this.config.tunnels.map((tunnel) => [tunnel.name, tunnel]));
    for (const tunnel of removed) {
      const instance = this.#entries.get(tunnel.name)?.current;
      if (instance) this.#retire(instance, "removed");
      running.delete(tunnel.name);
      outcome.stopped.push(tunnel.name);
    }
    for (const { previous, next: tunnel, keys } of changed) {
      const old = this.#entries.get(tunnel.name)?.current;
      // The old one stops accepting first, so the new one can bind the same port.
      if (old) await this.#retire(old, "replaced").accepting;
      try {
        await this.#launch(tunnel, starters.get(tunnel.name)!);
        running.set(tunnel.name, tunnel);
        outcome.restarted.push({ name: tunnel.name, keys });
      } catch (err) {
        outcome.failed.push(tunnel.name);
        running.delete(tunnel.name);
        await this.#restore(previous, err, running);
      }
    }
    for (const tunnel of added) {
      try {
        await this.#launch(tunnel, starters.get(tunnel.name)!);
        running.set(tunnel.name, tunnel);
        outcome.started.push(tunnel.name);
      } catch (err) {
        outcome.failed.push(tunnel.name);
        this.#logFor(tunnel.name).error(saying("not started", err), codeOf(err));
      }
    }
    // The running tunnels, in the new file's order (a restored one keeps its old settings).
    const order = new Map(next.tunnels.map((tunnel, index) => [tunnel.name, index]));
    this.#config = {
      ...next,
      tunnels: [...running.values()].sort(
        (a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0),
      ),
    };
    this.#checkHosts([...added, ...changed.map((change) => change.next)]);
    return outcome;
  }

  /** A replacement that failed to start: the previous settings again, if they still start. */
  async #restore(
    previous: ResolvedTunnel<F>,
    err: unknown,
    running: Map<string, ResolvedTunnel<F>>,
  ): Promise<void> {
    const log = this.#logFor(previous.name);
    try {
      await this.#launch(previous, this.#prepare(previous));
      running.set(previous.name, previous);
      log.error(`${saying("new settings not started", err)}; kept the previous ones`, codeOf(err));
    } catch {
      log.error(`${saying("new settings not started", err)}; the tunnel is stopped`, codeOf(err));
    }
  }

  /** Stops accepting everywhere and resolves once every connection has ended. */
  async close(onDraining?: () => void): Promise<void> {
    this.#stopping = true;
    const all = this.#instances();
    const current = all.filter((instance) => instance.closingAt === undefined);
    const accepting = current.map((instance) => this.#retire(instance, "stop").accepting);
    void Promise.all(accepting).then(() => onDraining?.());
    await Promise.all(all.map((instance) => instance.finished));
  }

  /** Ends every connection now; resolves once every service has closed. */
  async destroy(): Promise<void> {
    this.#stopping = true;
    const all = this.#instances();
    for (const instance of all) {
      if (instance.closingAt === undefined) this.#retire(instance, "stop");
      void instance.running.service.destroy();
    }
    await Promise.all(all.map((instance) => instance.finished));
  }

  /** One line on the connections still open, or undefined when none are. */
  openSummary(): string | undefined {
    const named = this.#namedLogs();
    return describeOpen(
      this.#instances().flatMap((instance) =>
        describeConnections(
          instance.running.service.connections(),
          named ? instance.tunnel.name : undefined,
        ),
      ),
    );
  }

  /** The status rows, in the configuration's order, tunnels still draining last. */
  rows(): TunnelStatus[] {
    const order = this.#config?.tunnels.map((tunnel) => tunnel.name) ?? [];
    const names = [...new Set([...order, ...this.#entries.keys()])];
    const rows: TunnelStatus[] = [];
    for (const name of names) {
      const entry = this.#entries.get(name);
      if (!entry) continue;
      const shown = entry.current ?? [...entry.draining].at(-1);
      if (shown?.running.rows) {
        rows.push(...shown.running.rows());
        continue;
      }
      const row = tunnelRow({
        name,
        current: entry.current,
        draining: [...entry.draining],
        carried: entry.carried,
        lastError: entry.lastError,
        ending: this.#stopping ? "stopping" : "removed",
      });
      if (row) rows.push(row);
    }
    return rows;
  }

  /** The program-wide parts of the status document. */
  programStatus(): ProgramStatus {
    const current = [...this.#entries.values()].flatMap((entry) =>
      entry.current ? [entry.current.running] : [],
    );
    return this.program.describeProgram?.(current, this.config.program) ?? {};
  }

  /** Calls `listener` for each relayed connection that ends; returns the undo. */
  onConnectionClosed(listener: ClosedListener): () => void {
    this.#closedListeners.add(listener);
    return () => this.#closedListeners.delete(listener);
  }

  #instances(): TunnelInstance<T>[] {
    return [...this.#entries.values()].flatMap((entry) => [
      ...(entry.current ? [entry.current] : []),
      ...entry.draining,
    ]);
  }

  /** With a config file, the lines of the forwarder and the clients name their tunnel. */
  #namedLogs(): boolean {
    return this.program.spec.tunnels !== undefined && this.#config?.file !== undefined;
  }

  #logFor(name: string): Logger {
    return this.#namedLogs() ? this.options.log.forTunnel(name) : this.options.log;
  }

  #place(err: unknown, tunnel: ResolvedTunnel<F>): unknown {
    const { spec } = this.program;
    return placeError(err, spec.flags, {
      origins: tunnel.origins,
      at: tunnel.at,
      listenFlag: spec.tunnels?.port ?? ("bind_port" in spec.flags ? "bind_port" : undefined),
    });
  }

  #prepare(tunnel: ResolvedTunnel<F>): () => Promise<T> {
    try {
      return this.program.prepare(tunnel.values, {
        name: tunnel.name,
        log: this.#logFor(tunnel.name),
        env: this.options.env,
      });
    } catch (err) {
      throw this.#place(err, tunnel);
    }
  }

  async #launch(tunnel: ResolvedTunnel<F>, starter: () => Promise<T>): Promise<void> {
    let running: T;
    try {
      running = await starter();
    } catch (err) {
      throw this.#place(err, tunnel);
    }
    this.#adopt(tunnel as ResolvedTunnel<FlagSpecs>, running);
  }

  #adopt(tunnel: ResolvedTunnel<FlagSpecs>, running: T): void {
    let entry = this.#entries.get(tunnel.name);
    if (!entry) {
      entry = {
        name: tunnel.name,
        current: undefined,
        draining: new Set(),
        carried: emptyTotals(),
        lastError: undefined,
      };
      this.#entries.set(tunnel.name, entry);
    }
    const owner = entry;
    const instance = new TunnelInstance(
      tunnel,
      running,
      this.#logFor(tunnel.name),
      this.program.spec,
      {
        onError: (error) => {
          owner.lastError = error;
        },
        onClosed: (info, outcome, durationSeconds) => {
          const event = { tunnel: running.rowOf?.(info) ?? tunnel.name, outcome, durationSeconds };
          for (const listener of this.#closedListeners) listener(event);
        },
      },
    );
    owner.current = instance;
    running.service.done.catch((error: unknown) => {
      if (owner.current !== instance || this.#stopping) return;
      this.#fail(this.#namedLogs() ? inTunnel(error, tunnel.name) : error);
    });
  }

  /**
   * Stops an instance taking new connections and lets its connections
   * drain: after a reload for up to the drain timeout, at stop until the
   * runner destroys it. `accepting` settles once nothing new can arrive.
   */
  #retire(
    instance: TunnelInstance<T>,
    reason: "removed" | "replaced" | "stop",
  ): { accepting: Promise<void> } {
    const entry = this.#entries.get(instance.tunnel.name)!;
    if (entry.current === instance) entry.current = undefined;
    entry.draining.add(instance);
    const { accepting, closed } = instance.retire(
      reason === "stop" ? undefined : this.options.drainMs(),
    );
    instance.finished = closed.then((stats) => {
      addTotals(entry.carried, stats);
      entry.draining.delete(instance);
      if (!entry.current && entry.draining.size === 0 && reason === "removed") {
        this.#entries.delete(entry.name);
      }
      const summary = instance.running.summary?.() ?? trafficSummary(stats, instance.running.peers);
      instance.log.info(SUMMARY_PREFIX[reason] + summary);
    });
    return { accepting };
  }
}

const SUMMARY_PREFIX = {
  stop: "",
  removed: "stopped (removed from the configuration): ",
  replaced: "the old settings have drained: ",
} as const;

/** The tunnels a reload adds, removes, changes or keeps (diffConfigs' answer). */
export interface ChangedTunnels<F extends FlagSpecs> {
  added: ResolvedTunnel<F>[];
  removed: ResolvedTunnel<F>[];
  changed: { previous: ResolvedTunnel<F>; next: ResolvedTunnel<F>; keys: string[] }[];
  unchanged: ResolvedTunnel<F>[];
}
