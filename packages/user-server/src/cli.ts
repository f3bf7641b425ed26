import {
  announceServer,
  bindHostFlag,
  bindPortFlag,
  type CliSpec,
  connectTimeoutFlag,
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
  tokenFlags,
  toMs,
} from "@fwd/cli";
import { startUserServer, TargetAllowlist, type UserServerOptions } from "@fwd/core";
import pkg from "../package.json" with { type: "json" };

export const spec = {
  name: "user-server",
  version: pkg.version,
  summary:
    "The server of the user pair: each user-client connection names a target on this side; " +
    "the server connects to it and relays. A drop-in for tcp_forwarding_user_server.py that " +
    "speaks its wire format.",
  flags: {
    bind_host: bindHostFlag(),
    bind_port: bindPortFlag(22222),
    handshake_timeout: handshakeTimeoutFlag,
    connect_timeout: connectTimeoutFlag(
      "Give up connecting to a requested target after this many seconds",
    ),
    idle_timeout: idleTimeoutFlag,
    heartbeat_interval: heartbeatFlag,
    ...tokenFlags,
    allow_targets: {
      kind: "string",
      describe: "Targets clients may reach, e.g. 192.168.1.0/24:3389,db.lan:5432 (default: any)",
      option: "allowTargets",
    },
    ...serverTlsFlags,
    ...lifecycleFlags,
  },
  examples: [["user-server --bind_port 22222", "Let user-clients reach hosts on this network"]],
  epilog: EXIT_STATUS_EPILOG,
} as const satisfies CliSpec;

export type UserServerFlags = FlagValues<typeof spec.flags>;

/** Maps the command line flags onto the typed @fwd/core startUserServer() options. */
export function toUserServerOptions(flags: UserServerFlags, env = process.env): UserServerOptions {
  const options: UserServerOptions = {
    bind: { host: flags.bind_host, port: flags.bind_port },
    ...serverSecurity(flags, env),
    allowTargets:
      flags.allow_targets === undefined ? undefined : TargetAllowlist.parse(flags.allow_targets),
    handshakeTimeoutMs: toMs(flags.handshake_timeout),
    connectTimeoutMs: toMs(flags.connect_timeout),
    idleTimeoutMs: toMs(flags.idle_timeout),
    heartbeatIntervalMs: toMs(flags.heartbeat_interval),
  };
  return options;
}

export async function startUserServerCli(flags: UserServerFlags, log: Logger): Promise<Running> {
  const options = toUserServerOptions(flags);
  const server = await startUserServer(options);
  const running = superviseService(server, log, spec);
  announceServer(log, server, {
    program: "user-server",
    serves: "user-client connections",
    bindHost: flags.bind_host,
    token: options.token,
    tls: options.tls,
    allowlist: { name: "targets", value: options.allowTargets },
  });
  return running;
}

/**
 * Runs the command line; resolves with the exit status. `release.version`
 * replaces the package's own (the single executable prints its release).
 */
export function main(argv: readonly string[], release: { version?: string } = {}): Promise<number> {
  return runCli({ ...spec, version: release.version ?? spec.version }, argv, startUserServerCli);
}
