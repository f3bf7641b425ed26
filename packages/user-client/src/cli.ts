import {
  bindHostFlag,
  bindPortFlag,
  type CliSpec,
  clientSecurity,
  clientTlsFlags,
  connectTimeoutFlag,
  EXIT_STATUS_EPILOG,
  type FlagValues,
  heartbeatFlag,
  idleTimeoutFlag,
  type Logger,
  lifecycleFlags,
  perTunnel,
  type Running,
  runCli,
  superviseService,
  timeoutFlag,
  tokenFlags,
  toMs,
  uniqueIdFlag,
} from "@fwd/cli";
import { defaults, formatEndpoint, startUserClient, type UserClientOptions } from "@fwd/core";
import pkg from "../package.json" with { type: "json" };

export const spec = {
  name: "user-client",
  version: pkg.version,
  summary:
    "The client of the user pair: listens locally and, for each local connection, asks the " +
    "user-server to connect to server_target_host:server_target_port on its side, then relays. " +
    "A drop-in for tcp_forwarding_user_client.py, serving many connections at once.",
  flags: {
    server_host: {
      kind: "host",
      default: "xxx.yyy.cn",
      describe: "The user-server's host",
      option: "server.host",
    },
    server_port: {
      kind: "port",
      default: 22222,
      describe: "The user-server's port",
      option: "server.port",
    },
    ...perTunnel({
      bind_host: bindHostFlag("Address to listen on locally"),
      bind_port: bindPortFlag(10086, "Port to listen on locally"),
      server_target_host: {
        kind: "host",
        default: "192.168.1.200",
        describe: "Target the server connects to, on its side (host names and IPv6 need v2)",
        option: "target.host",
      },
      server_target_port: {
        kind: "port",
        default: 3389,
        describe: "Port of that target",
        option: "target.port",
      },
      unique_id: uniqueIdFlag,
      connect_timeout: connectTimeoutFlag(
        "Give up connecting to the server after this many seconds",
      ),
      handshake_timeout: timeoutFlag(
        defaults.handshakeTimeoutMs,
        "Give up waiting for the server's answer after this many seconds",
        "handshakeTimeoutMs",
      ),
      idle_timeout: idleTimeoutFlag,
    }),
    heartbeat_interval: heartbeatFlag,
    ...tokenFlags,
    ...clientTlsFlags,
    ...lifecycleFlags,
  },
  tunnels: { host: "bind_host", port: "bind_port", what: "listening address" },
  examples: [
    [
      "user-client --server_host office.example.com --bind_port 13389 --server_target_host 192.168.1.200",
      "Remote Desktop to 192.168.1.200 in the office through localhost:13389",
    ],
  ],
  epilog: EXIT_STATUS_EPILOG,
} as const satisfies CliSpec;

export type UserClientFlags = FlagValues<typeof spec.flags>;

/** Maps the command line flags onto the typed @fwd/core startUserClient() options. */
export function toUserClientOptions(flags: UserClientFlags, env = process.env): UserClientOptions {
  const options: UserClientOptions = {
    ...clientSecurity(flags, env),
    bind: { host: flags.bind_host, port: flags.bind_port },
    server: { host: flags.server_host, port: flags.server_port },
    target: { host: flags.server_target_host, port: flags.server_target_port },
    uniqueId: flags.unique_id,
    connectTimeoutMs: toMs(flags.connect_timeout),
    handshakeTimeoutMs: toMs(flags.handshake_timeout),
    idleTimeoutMs: toMs(flags.idle_timeout),
    heartbeatIntervalMs: toMs(flags.heartbeat_interval),
  };
  return options;
}

export async function startUserClientCli(flags: UserClientFlags, log: Logger): Promise<Running> {
  const options = toUserClientOptions(flags);
  const client = await startUserClient(options);
  const running = superviseService(client, log, spec);
  log.info(
    `listening on ${formatEndpoint(client.address())}, reaching ${formatEndpoint(options.target)} ` +
      `through server ${formatEndpoint(options.server)}`,
  );
  return running;
}

/**
 * Runs the command line; resolves with the exit status. `release.version`
 * replaces the package's own (the single executable prints its release).
 */
export function main(argv: readonly string[], release: { version?: string } = {}): Promise<number> {
  return runCli({ ...spec, version: release.version ?? spec.version }, argv, startUserClientCli);
}
