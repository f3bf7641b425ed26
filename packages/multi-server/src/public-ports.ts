/**
 * A multi-server's status: one row per public port open now, and the
 * clients that own them. Read from publicPorts() at each snapshot, plus
 * the last error of each port from the server's connectionError events.
 */
import type { ConnectionInfo, FwdError, MultiServer, PublicPortStatus } from "@fwd/core";
import type { ClientStatus, TunnelStatus } from "@fwd/status";

/** A visitor's connection names its port: "public port 0.0.0.0:10086 of home-pc". */
const VISITOR_TARGET = /^public port (\S+) of /;

/** The row's name: the port number, unique on one server (ports are owned by number). */
export function portName(port: string): string {
  return port.slice(port.lastIndexOf(":") + 1);
}

const iso = (ms: number) => new Date(ms).toISOString();

export class PublicPortRows {
  readonly #lastErrors = new Map<string, NonNullable<TunnelStatus["lastError"]>>();

  constructor(
    private readonly server: MultiServer,
    wording: (error: FwdError) => string,
  ) {
    server.on("connectionError", (info, error) => {
      const port = VISITOR_TARGET.exec(info.target ?? "")?.[1];
      if (port === undefined) return;
      this.#lastErrors.set(port, {
        code: error.code,
        message: wording(error),
        at: new Date().toISOString(),
      });
    });
    server.on("portReleased", (port) => this.#lastErrors.delete(port.port));
  }

  /** The row a visitor's connection belongs to. */
  rowOf(info: ConnectionInfo): string | undefined {
    const port = VISITOR_TARGET.exec(info.target ?? "")?.[1];
    return port === undefined ? undefined : portName(port);
  }

  rows(): TunnelStatus[] {
    const open = this.server.connections();
    return this.server.publicPorts().map((port) => {
      const prefix = `public port ${port.port} of `;
      const mine = open.filter(({ info }) => info.target?.startsWith(prefix));
      const lastError = this.#lastErrors.get(port.port);
      return {
        name: portName(port.port),
        kind: "public-port",
        state: "up",
        stateSince: iso(port.openedAt),
        detail: describePort(port),
        listen: port.port,
        owner: port.owner,
        peer: port.ownerAddress,
        protocol: port.protocol,
        publicPort: Number(portName(port.port)),
        waitingRegistrations: port.waiting,
        heldVisitors: port.held,
        ...(port.rttMs === undefined ? {} : { heartbeatRttMs: port.rttMs }),
        connections: { active: port.relays, total: { ...port.traffic.outcomes } },
        bytes: { in: port.traffic.bytesIn, out: port.traffic.bytesOut },
        active: mine
          .sort((a, b) => b.info.startedAt - a.info.startedAt)
          .slice(0, 100)
          .map(({ info, bytes }) => ({
            id: info.id,
            remote: info.remote,
            startedAt: iso(info.startedAt),
            bytes: { ...bytes },
          })),
        ...(lastError ? { lastError } : {}),
      };
    });
  }
}

/** "open for client "home-pc" (v2): 3 registrations waiting". */
function describePort(port: PublicPortStatus): string {
  const owner = `open for client ${JSON.stringify(port.owner)} (${port.protocol})`;
  const held = port.held > 0 ? `; ${port.held} visitor${port.held === 1 ? "" : "s"} held` : "";
  if (port.waiting === 0) return `${owner}: no registration waiting${held}`;
  return `${owner}: ${port.waiting} registration${port.waiting === 1 ? "" : "s"} waiting${held}`;
}

/** Each client id with its address, its ports and the registrations it keeps waiting. */
export function clientsOf(ports: readonly PublicPortStatus[]): ClientStatus[] {
  const clients = new Map<string, ClientStatus & { since: number }>();
  for (const port of ports) {
    const client = clients.get(port.owner);
    if (!client) {
      clients.set(port.owner, {
        id: port.owner,
        address: port.ownerAddress,
        ports: [port.port],
        waitingRegistrations: port.waiting,
        connectedSince: iso(port.openedAt),
        since: port.openedAt,
      });
      continue;
    }
    client.ports.push(port.port);
    client.waitingRegistrations += port.waiting;
    if (port.openedAt < client.since) {
      client.since = port.openedAt;
      client.connectedSince = iso(port.openedAt);
    }
  }
  return [...clients.values()].map(({ since: _since, ...client }) => client);
}
