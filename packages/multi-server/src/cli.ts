import {
  announceServer,
  bindHostFlag,
  bindPortFlag,
  type CliSpec,
  EXIT_STATUS_EPILOG,
  type FlagValues,
  handshakeTimeoutFlag,
  heartbeatFlag,
  idleTimeoutFlag,
  type Logger,
  lifecycleFlags,
  type Running,
  runCli,
  serverSecurity,
  serverTlsFlags,
  superviseService,
  timeoutFlag,
  tokenFlags,
  toMs,
} from "@fwd/cli";
import { defaults, type MultiServerOptions, PortAllowlist, startMultiServer } from "@fwd/core";
import pkg from "../package.json" with { type: "json" };

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
    ...lifecycleFlags,
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

export async function startMultiServerCli(flags: MultiServerFlags, log: Logger): Promise<Running> {
  const options = toMultiServerOptions(flags);
  const server = await startMultiServer(options);
  const running = superviseService(server, log, spec);
  announceServer(log, server, {
    program: "multi-server",
    serves: "multi-client registrations",
    bindHost: flags.bind_host,
    token: options.token,
    tls: options.tls,
    allowlist: { name: "ports", value: options.allowPorts },
  });
  return running;
}

/**
 * Runs the command line; resolves with the exit status. `release.version`
 * replaces the package's own (the single executable prints its release).
 */
export function main(argv: readonly string[], release: { version?: string } = {}): Promise<number> {
  return runCli({ ...spec, version: release.version ?? spec.version }, argv, startMultiServerCli);
}
