import { type Endpoint, type Forwarder, formatEndpoint } from "@fwd/core";
import type { StatusDocument, StatusProvider, TunnelStatus } from "../src/index.js";

type ClosedListener = Parameters<StatusProvider["onConnectionClosed"]>[0];

/**
 * A StatusProvider over one real @fwd/core Forwarder, built on its public
 * API only (stats(), connections() and the service events): the shape a
 * CLI's provider takes.
 */
export function forwarderProvider(
  name: string,
  forwarder: Forwarder,
  target: Endpoint,
): StatusProvider {
  const startedAt = new Date().toISOString();
  const ended: Record<string, number> = {};
  const listeners = new Set<ClosedListener>();
  let lastError: TunnelStatus["lastError"];
  const count = (outcome: string) => {
    ended[outcome] = (ended[outcome] ?? 0) + 1;
  };

  forwarder.on("connectionClosed", (_info, summary) => {
    count(summary.reason);
    const event = {
      tunnel: name,
      outcome: summary.reason,
      durationSeconds: summary.durationMs / 1000,
    };
    for (const listener of listeners) listener(event);
  });
  forwarder.on("connectionError", (_info, error) => {
    count("failed");
    lastError = { code: error.code, message: error.message, at: new Date().toISOString() };
  });

  return {
    snapshot(): StatusDocument {
      const stats = forwarder.stats();
      const listen = formatEndpoint(forwarder.address());
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
            state: forwarder.state === "running" ? "up" : "stopped",
            stateSince: startedAt,
            detail: `listening on ${listen}, relaying to ${target.host}:${target.port}`,
            listen,
            target: `${target.host}:${target.port}`,
            connections: { active: stats.active, total: { ...ended } },
            bytes: { in: stats.bytesIn, out: stats.bytesOut },
            active: forwarder
              .connections()
              .reverse()
              .slice(0, 100)
              .map(({ info, bytes }) => ({
                id: info.id,
                remote: info.remote,
                target: info.target,
                startedAt: new Date(info.startedAt).toISOString(),
                bytes,
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
