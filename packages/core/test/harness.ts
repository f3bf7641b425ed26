import { once } from "node:events";
import type { Server } from "node:net";
import type { TestServer } from "@fwd/testkit";
import { dial } from "../src/dial.js";
import { listen } from "../src/listen.js";
import { type Relay, type RelayOptions, relay } from "../src/relay.js";

/**
 * A bare relay in front of a test server: every connection to `port` is
 * dialed through to `target` and relayed, and each Relay is kept for
 * inspection. The harness is the smallest forwarder, with nothing between
 * the test and relay().
 */
export interface RelayHarness {
  port: number;
  relays: Relay[];
  /** Resolves with the next relay to start. */
  nextRelay(): Promise<Relay>;
  close(): Promise<void>;
}

export async function startRelayHarness(
  target: TestServer,
  options: RelayOptions = {},
): Promise<RelayHarness> {
  const relays: Relay[] = [];
  const waiting: Array<(relay: Relay) => void> = [];
  const server: Server = await listen({
    adopt: true,
    host: "127.0.0.1",
    port: 0,
    onConnection: async (client) => {
      const upstream = await dial({ host: target.host, port: target.port, zeroCopy: true });
      const active = relay(client, upstream, options);
      relays.push(active);
      waiting.shift()?.(active);
    },
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no address");
  return {
    port: address.port,
    relays,
    nextRelay: () => new Promise((resolve) => waiting.push(resolve)),
    async close() {
      await Promise.all(relays.map((active) => active.close()));
      const closed = once(server, "close");
      server.close();
      await closed;
    },
  };
}
