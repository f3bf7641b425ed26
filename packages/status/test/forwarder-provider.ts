import type { ConnectionInfo, Forwarder } from "@fwd/core";
import type { StatusDocument, StatusProvider, TunnelStatus } from "../src/index.js";

type ClosedListener = Parameters<StatusProvider["onConnectionClosed"]>[0];

/**
 * A StatusProvider over one real @fwd/core Forwarder, built on its public
 * API only (stats() and the service events): the shape a CLI's provider
 * takes. Per-connection bytes are not public, so open connections show 0.
 */
export function forwarderProvider(name: string, forwarder: Forwarder): StatusProvider {
  const startedAt = new Date().toISOString();
  const open = new Map<number, { info: ConnectionInfo; startedAt: string }>();
  const ended: Record<string, number> = {};
  const listeners = new Set<ClosedListener>();
  let lastError: TunnelStatus["lastError"];
  const count = (outcome: string) => {
    ended[outcome] = (ended[outcome] ?? 0) + 1;
  };

  forwarder.onService("connection", (info) => {
    open.set(info.id, { info, startedAt: new Date().toISOString() });
  });
  forwarder.onService("connectionClosed", (info, summary) => {
    open.delete(info.id);
    count(summary.reason);
    const event = {
      tunnel: name,
      outcome: summary.reason,
      durationSeconds: summary.durationMs / 1000,
    };
    for (const listener of listeners) listener(event);
  });
  forwarder.onService("connectionError", (info, error) => {
    open.delete(info.id);
    count("failed");
    lastError = { code: error.code, message: error.message, at: new Date().toISOString() };
  });

  return {
    snapshot(): StatusDocument {
      const stats = forwarder.stats();
      const { bind, target } = forwarder.options;
      const listen = `${bind.host}:${forwarder.address().port}`;
      return {
        program: "tcp-forwarding",
        version: "0.0.0-test",
        pid: process.pid,
        startedAt,
        now: new Date().toISOString(),
        tunnels: [
          {
            name,
            kind: "forward",
            state: forwarder.closed ? "stopped" : "up",
            stateSince: startedAt,
            detail: `listening on ${listen}, relaying to ${target.host}:${target.port}`,
            listen,
            target: `${target.host}:${target.port}`,
            connections: { active: stats.active, total: { ...ended } },
            bytes: { in: stats.bytesIn, out: stats.bytesOut },
            active: [...open.values()]
              .reverse()
              .slice(0, 100)
              .map(({ info, startedAt }) => ({
                id: info.id,
                remote: info.remote,
                target: info.target,
                startedAt,
                bytes: { in: 0, out: 0 },
              })),
            lastError,
          },
        ],
      };
    },
    onConnectionClosed(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
