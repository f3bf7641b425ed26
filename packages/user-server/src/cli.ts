import {
  announceServer,
  asRelease,
  bindHostFlag,
  bindPortFlag,
  type CliSpec,
  commonFlags,
  connectTimeoutFlag,
  EXIT_STATUS_EPILOG,
  type FlagValues,
  handshakeTimeoutFlag,
  heartbeatFlag,
  idleTimeoutFlag,
  plural,
  type RunningTunnel,
  runProgram,
  serverSecurity,
  serverTlsFlags,
  type TunnelContext,
  type TunnelProgram,
  tokenFlags,
  toMs,
} from "@fwd/cli";
import {
  formatEndpoint,
  startUserServer,
  TargetAllowlist,
  type UserServer,
  type UserServerOptions,
} from "@fwd/core";
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
    ...commonFlags,
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

/** The running server and what its status says of it. */
export interface UserServerTunnel extends RunningTunnel {
  server: UserServer;
  options: UserServerOptions;
}

/** The server (a server's config has one "tunnel": the server itself). */
export function prepareUserServer(
  flags: UserServerFlags,
  { log, env }: TunnelContext,
): () => Promise<UserServerTunnel> {
  const options = toUserServerOptions(flags, env);
  return async () => {
    const server = await startUserServer(options);
    announceServer(log, server, {
      program: "user-server",
      serves: "user-client connections",
      bindHost: flags.bind_host,
      token: options.token,
      tls: options.tls,
      allowlist: { name: "targets", value: options.allowTargets },
    });
    const listen = formatEndpoint(server.address());
    return {
      server,
      options,
      service: server,
      peers: "clients",
      describe: () => ({
        kind: "user-server",
        detail: `listening on ${listen} for user-client connections; ${plural(server.readyLinks, "link")} kept ready by clients`,
        listen,
        readyLinks: server.readyLinks,
      }),
    };
  };
}

/** What runProgram runs: one UserServer. */
export const program: TunnelProgram<typeof spec.flags, UserServerTunnel> = {
  spec,
  prepare: prepareUserServer,
  describeProgram([running]) {
    if (!running) return {};
    const { server, options } = running;
    return {
      listener: {
        address: formatEndpoint(server.address()),
        tls: options.tls !== undefined,
        token: options.token !== undefined,
        handshaking: server.handshaking,
      },
      handshakeFailures: server.stats().failures,
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
