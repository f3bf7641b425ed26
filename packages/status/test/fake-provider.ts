import type { StatusDocument, StatusProvider, TunnelStatus } from "../src/index.js";

type ClosedListener = Parameters<StatusProvider["onConnectionClosed"]>[0];

/** A provider whose numbers a test changes: edit `doc`, call `closeConnection()`. */
export class FakeProvider implements StatusProvider {
  readonly listeners = new Set<ClosedListener>();
  snapshots = 0;
  /** Called on the live document before each snapshot: make numbers move here. */
  onSnapshot: ((doc: StatusDocument) => void) | undefined;

  constructor(readonly doc: StatusDocument) {}

  snapshot(): StatusDocument {
    this.snapshots++;
    this.onSnapshot?.(this.doc);
    // A copy, as a real provider builds a new document each time.
    return structuredClone({ ...this.doc, now: new Date().toISOString() });
  }

  onConnectionClosed(listener: ClosedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  tunnel(name: string): TunnelStatus {
    const tunnel = this.doc.tunnels.find((t) => t.name === name);
    if (!tunnel) throw new Error(`no tunnel ${name}`);
    return tunnel;
  }

  /** Ends one connection of `name`: counts it and tells the listeners. */
  closeConnection(name: string, outcome: string, durationSeconds: number): void {
    const tunnel = this.tunnel(name);
    tunnel.connections.total[outcome] = (tunnel.connections.total[outcome] ?? 0) + 1;
    for (const listener of this.listeners) listener({ tunnel: name, outcome, durationSeconds });
  }
}

export function tunnel(name: string, overrides: Partial<TunnelStatus> = {}): TunnelStatus {
  const since = new Date(Date.now() - 90_000).toISOString();
  return {
    name,
    kind: "forward",
    state: "up",
    stateSince: since,
    detail: `listening on 127.0.0.1:8080, relaying to ${name}:80`,
    listen: "127.0.0.1:8080",
    target: `${name}:80`,
    connections: { active: 0, total: {} },
    bytes: { in: 0, out: 0 },
    active: [],
    ...overrides,
  };
}

export function forwarderDoc(tunnels: TunnelStatus[]): StatusDocument {
  return {
    program: "tcp-forwarding",
    version: "1.2.3",
    pid: process.pid,
    startedAt: new Date(Date.now() - 3_725_000).toISOString(),
    now: new Date().toISOString(),
    tunnels,
  };
}
