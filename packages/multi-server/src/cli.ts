import {
  announceServer,
  asRelease,
  bindHostFlag,
  bindPortFlag,
  type CliSpec,
  commonFlags,
  EXIT_STATUS_EPILOG,
  type FlagValues,
  handshakeTimeoutFlag,
  heartbeatFlag,
  idleTimeoutFlag,
  messageOf,
  plural,
  type RunningTunnel,
  runProgram,
  serverSecurity,
  serverTlsFlags,
  type TunnelContext,
  type TunnelProgram,
  timeoutFlag,
  tokenFlags,
  toMs,
  trafficSummary,
} from "@fwd/cli";
import {
  defaults,
  formatEndpoint,
  type MultiServer,
  type MultiServerOptions,
  PortAllowlist,
  startMultiServer,
} from "@fwd/core";
import pkg from "../package.json" with { type: "json" };
import { clientsOf, PublicPortRows } from "./public-ports.js";

export const spec = {
  name: "multi-server",
  version: pkg.version,
  summary:
    "The server of the reverse tunnel: multi-clients register here and have it open a public " +
    "port; each connection to that port reaches the client's target. A drop-in for " +
    "tcp_forwarding_multi_server.py (and _select) that keeps public ports open and serves " +
    "many connections at once.",
  flags: {
    bind_host: bindHostFlag("Address to listen on for clients"),
    bind_port: bindPortFlag(33333, "Port to listen on for clients"),
    handshake_timeout: handshakeTimeoutFlag,
    hold_timeout: timeoutFlag(
      defaults.holdTimeoutMs,
      "How long a public connection waits for a client registration",
      "holdTimeoutMs",
    ),
    idle_timeout: idleTimeoutFlag,
    heartbeat_interval: heartbeatFlag,
    ...tokenFlags,
    public_host: {
      kind: "host",
      default: "0.0.0.0",
      describe: "Address the public ports are bound to (a legacy client's 0.0.0.0 included)",
      option: "publicHost",
    },
    allow_ports: {
      kind: "string",
      describe: "Public ports clients may open, e.g. 10000-10100,3389 (default: any)",
      option: "allowPorts",
    },
    ...serverTlsFlags,
    ...commonFlags,
  },
  examples: [["multi-server --bind_port 33333", "Accept reverse-tunnel clients on port 33333"]],
  epilog: EXIT_STATUS_EPILOG,
} as const satisfies CliSpec;

export type MultiServerFlags = FlagValues<typeof spec.flags>;

/** Maps the command line flags onto the typed @fwd/core startMultiServer() options. */
export function toMultiServerOptions(
  flags: MultiServerFlags,
  env = process.env,
): MultiServerOptions {
  const options: MultiServerOptions = {
    bind: { host: flags.bind_host, port: flags.bind_port },
    ...serverSecurity(flags, env),
    allowPorts:
      flags.allow_ports === undefined ? undefined : PortAllowlist.parse(flags.allow_ports),
    handshakeTimeoutMs: toMs(flags.handshake_timeout),
    holdTimeoutMs: toMs(flags.hold_timeout),
    publicHost: flags.public_host,
    idleTimeoutMs: toMs(flags.idle_timeout),
    heartbeatIntervalMs: toMs(flags.heartbeat_interval),
  };
  return options;
}

/** The running server and what its status says of it. */
export interface MultiServerTunnel extends RunningTunnel {
  server: MultiServer;
  options: MultiServerOptions;
}

/** The server (a server's config has one "tunnel": the server itself). */
export function prepareMultiServer(
  flags: MultiServerFlags,
  { log, env }: TunnelContext,
): () => Promise<MultiServerTunnel> {
  const options = toMultiServerOptions(flags, env);
  return async () => {
    const server = await startMultiServer(options);
    announceServer(log, server, {
      program: "multi-server",
      serves: "multi-client registrations",
      bindHost: flags.bind_host,
      token: options.token,
      tls: options.tls,
      allowlist: { name: "ports", value: options.allowPorts },
    });
    const ports = new PublicPortRows(server, (error) => messageOf(error, spec));
    server.on("portOpened", (port) =>
      log.info(
        `public port ${port.port} opened for client ${JSON.stringify(port.owner)} at ${port.ownerAddress} (${port.protocol})`,
      ),
    );
    server.on("portReleased", (port) =>
      log.info(
        `public port ${port.port} of client ${JSON.stringify(port.owner)} released: ` +
          trafficSummary(port.traffic, "visitors", "visitor"),
      ),
    );
    return {
      server,
      options,
      service: server,
      peers: "visitors",
      describe: () => ({
        kind: "public-port",
        detail: `listening on ${formatEndpoint(server.address())} for multi-client registrations`,
      }),
      rows: () => ports.rows(),
      rowOf: (info) => ports.rowOf(info),
      summary: () => serverSummary(server),
    };
  };
}

/** "served 12 visitors (1 failed): 12.3 MB from visitors, 1.2 GB to visitors; 40 registrations (3 failed)". */
export function serverSummary(server: MultiServer): string {
  const all = server.stats();
  const visitors = server.visitorStats();
  const registrations = all.accepted - visitors.accepted;
  const failed = all.failed - visitors.failed;
  return (
    `${trafficSummary(visitors, "visitors", "visitor")}; ` +
    `${plural(registrations, "registration")} (${failed} failed)`
  );
}

/** What runProgram runs: one MultiServer, its status one row per public port. */
export const program: TunnelProgram<typeof spec.flags, MultiServerTunnel> = {
  spec,
  prepare: prepareMultiServer,
  describeProgram([running]) {
    if (!running) return {};
    const { server, options } = running;
    const all = server.stats().failures;
    const visitors = server.visitorStats().failures;
    const handshakeFailures: Record<string, number> = {};
    for (const [code, count] of Object.entries(all)) {
      const left = count - (visitors[code] ?? 0);
      if (left > 0) handshakeFailures[code] = left;
    }
    return {
      listener: {
        address: formatEndpoint(server.address()),
        tls: options.tls !== undefined,
        token: options.token !== undefined,
        handshaking: server.handshaking,
      },
      clients: clientsOf(server.publicPorts()),
      handshakeFailures,
    };
  },
};

/**
 * Runs the command line; resolves with the exit status. `release.version`
 * replaces the package's own (the single executable prints its release).
 */
export function main(argv: readonly string[], release: { version?: string } = {}): Promise<number> {
  return runProgram(asRelease(program, release.version), argv);
}
