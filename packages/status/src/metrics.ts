import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { StatusDocument, StatusProvider } from "./document.js";

/** Connection durations span sub-second requests to day-long sessions. */
export const DURATION_BUCKETS = [0.1, 0.5, 1, 5, 15, 60, 300, 900, 1800, 3600, 4 * 3600, 12 * 3600];

export interface StatusMetrics {
  readonly contentType: string;
  /** Every metric in the Prometheus text format, read from one fresh snapshot. */
  render(): Promise<string>;
  /** Stops listening for closed connections. */
  close(): void;
}

type Labels<L extends string> = Record<L, string>;

let processRegistry: Registry | undefined;

/**
 * Node's process metrics (CPU, memory, event loop, GC) describe the process,
 * not one status server, and prom-client cannot stop their event-loop
 * monitor and GC observer once started: made once per process and shared
 * by every server's registry.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * The fwd metrics of one status server, in a registry of its own. Counters
 * and gauges are read from the provider's totals at scrape time (nothing is
 * counted per byte); the duration histogram is fed by onConnectionClosed.
 */
export function createStatusMetrics(provider: StatusProvider): StatusMetrics {
  // A new registry holding the shared process metrics; the fwd ones are added to it alone.
  const registry = Registry.merge([processMetrics(), new Registry()]);
  const registers = [registry];

  // The snapshot every collector of one scrape reads.
  let doc: StatusDocument | undefined;

  const gauge = <L extends string>(
    name: string,
    help: string,
    labelNames: L[],
    read: (doc: StatusDocument) => Iterable<[Labels<L>, number]>,
  ) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers,
      collect() {
        this.reset(); // series of tunnels that are gone disappear
        if (!doc) return;
        for (const [labels, value] of read(doc))
          if (Number.isFinite(value)) this.set(labels, value);
      },
    });

  const counter = <L extends string>(
    name: string,
    help: string,
    labelNames: L[],
    read: (doc: StatusDocument) => Iterable<[Labels<L>, number]>,
  ) => {
    const last = new Map<string, number>();
    return new Counter<L>({
      name,
      help,
      labelNames,
      registers,
      collect() {
        if (!doc) return;
        for (const [labels, total] of read(doc)) {
          if (!Number.isFinite(total) || total < 0) continue; // a provider bug must not break scrapes
          const key = labelNames.map((label) => labels[label]).join("\0");
          const before = last.get(key) ?? 0;
          last.set(key, total);
          // Totals that went down mean the source restarted from zero: all of it is new.
          this.inc(labels, total >= before ? total - before : total);
        }
      },
    });
  };

  gauge(
    "fwd_build_info",
    "The fwd program and its version; always 1.",
    ["program", "version"],
    (d) => [[{ program: d.program, version: d.version }, 1]],
  );
  gauge("fwd_connections_active", "Connections being relayed now.", ["tunnel"], (d) =>
    d.tunnels.map((t) => [{ tunnel: t.name }, t.connections.active]),
  );
  counter(
    "fwd_connections_total",
    "Connections since start, by how they ended (failed: never relayed).",
    ["tunnel", "outcome"],
    function* (d) {
      for (const t of d.tunnels) {
        for (const [outcome, total] of Object.entries(t.connections.total)) {
          yield [{ tunnel: t.name, outcome }, total];
        }
      }
    },
  );
  counter(
    "fwd_bytes_total",
    "Bytes relayed; in: from the side that connected toward the target, out: back.",
    ["tunnel", "direction"],
    function* (d) {
      for (const t of d.tunnels) {
        yield [{ tunnel: t.name, direction: "in" }, t.bytes.in];
        yield [{ tunnel: t.name, direction: "out" }, t.bytes.out];
      }
    },
  );
  counter("fwd_handshake_failures_total", "Handshakes that failed, by error code.", ["code"], (d) =>
    Object.entries(d.handshakeFailures ?? {}).map(([code, n]) => [{ code }, n]),
  );
  gauge("fwd_tunnel_up", "1 when the tunnel is up (serving), else 0.", ["tunnel"], (d) =>
    d.tunnels.map((t) => [{ tunnel: t.name }, t.state === "up" ? 1 : 0]),
  );
  gauge(
    "fwd_registrations_waiting",
    "Registrations waiting to be paired, per public port.",
    ["port"],
    function* (d) {
      for (const t of d.tunnels) {
        if (t.waitingRegistrations === undefined) continue;
        yield [{ port: String(t.publicPort ?? t.name) }, t.waitingRegistrations];
      }
    },
  );
  gauge("fwd_public_ports", "Public ports open (multi-server).", [], (d) => {
    const ports = d.tunnels.filter((t) => t.kind === "public-port");
    if (ports.length === 0 && d.program !== "multi-server") return [];
    return [[{}, ports.filter((t) => t.state === "up").length]];
  });
  gauge(
    "fwd_heartbeat_rtt_seconds",
    "Last heartbeat round trip on the tunnel's links.",
    ["tunnel"],
    function* (d) {
      for (const t of d.tunnels) {
        if (t.heartbeatRttMs !== undefined) yield [{ tunnel: t.name }, t.heartbeatRttMs / 1000];
      }
    },
  );

  const durations = new Histogram<"tunnel">({
    name: "fwd_connection_duration_seconds",
    help: "How long relayed connections lasted, counted when they end.",
    labelNames: ["tunnel"],
    buckets: DURATION_BUCKETS,
    registers,
  });
  const unsubscribe = provider.onConnectionClosed(({ tunnel, durationSeconds }) => {
    if (Number.isFinite(durationSeconds) && durationSeconds >= 0) {
      durations.observe({ tunnel }, durationSeconds);
    }
  });

  // One scrape at a time: collectors share `doc` and the counters' last totals.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    contentType: registry.contentType,
    render() {
      const scrape = queue.then(async () => {
        doc = provider.snapshot();
        try {
          return await registry.metrics();
        } finally {
          doc = undefined;
        }
      });
      queue = scrape.catch(() => {});
      return scrape;
    },
    close: unsubscribe,
  };
}
