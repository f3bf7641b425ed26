import {
  asRelease,
  bindHostFlag,
  bindPortFlag,
  type CliSpec,
  clientSecurity,
  clientTlsFlags,
  commonFlags,
  connectTimeoutFlag,
  EXIT_STATUS_EPILOG,
  type FlagValues,
  heartbeatFlag,
  idleTimeoutFlag,
  messageOf,
  type ProgramStatus,
  perTunnel,
  type RunningTunnel,
  runProgram,
  type TunnelContext,
  type TunnelProgram,
  timeoutFlag,
  tokenFlags,
  toMs,
  uniqueIdFlag,
} from "@fwd/cli";
import { defaults, formatEndpoint, UserClient, type UserClientOptions } from "@fwd/core";
import pkg from "../package.json" with { type: "json" };
import { ServerLinkWatch } from "./server-link.js";

type ServerLinkStatus = NonNullable<ProgramStatus["server"]>;

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
    ...commonFlags,
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

/** One tunnel's client and what its status says of it. */
export interface UserClientTunnel extends RunningTunnel {
  client: UserClient;
  options: UserClientOptions;
  link: ServerLinkWatch;
}

/** One tunnel: a UserClient listening locally for one target behind the server. */
export function prepareUserClient(
  flags: UserClientFlags,
  { log, env }: TunnelContext,
): () => Promise<UserClientTunnel> {
  const options = toUserClientOptions(flags, env);
  const client = new UserClient(options); // checks the options now, before anything starts
  return async () => {
    await client.start();
    const listen = formatEndpoint(client.address());
    const target = formatEndpoint(options.target);
    const server = formatEndpoint(options.server);
    const detail = `listening on ${listen}, reaching ${target} through server ${server}`;
    log.info(detail);
    return {
      client,
      options,
      link: new ServerLinkWatch(client, (error) => messageOf(error, spec)),
      service: client,
      peers: "clients",
      describe: () => {
        const { readyLinks, rttMs } = client.status();
        return {
          kind: "user-client",
          detail,
          listen,
          target,
          protocol: client.protocol,
          readyLinks,
          ...(rttMs === undefined ? {} : { heartbeatRttMs: rttMs }),
        };
      },
    };
  };
}

/** The server all tunnels share, as the tunnel that heard from it last saw it. */
export function serverStatus(tunnels: readonly UserClientTunnel[]): ServerLinkStatus | undefined {
  const [first] = tunnels;
  if (!first) return undefined;
  const views = tunnels.map((tunnel) => tunnel.link.view());
  const latest = views.reduce((a, b) => (b.since > a.since ? b : a));
  const lastError = views
    .flatMap((view) => (view.lastError ? [view.lastError] : []))
    .reduce<ServerLinkStatus["lastError"]>((a, b) => (a && a.at >= b.at ? a : b), undefined);
  const rttMs = views.find((view) => view.rttMs !== undefined)?.rttMs;
  return {
    address: formatEndpoint(first.options.server),
    state: latest.state,
    protocol: first.client.protocol,
    tls: first.options.tls !== undefined,
    ...(rttMs === undefined ? {} : { heartbeatRttMs: rttMs }),
    ...(lastError ? { lastError } : {}),
  };
}

/** What runProgram runs: one UserClient per tunnel, all through one server. */
export const program: TunnelProgram<typeof spec.flags, UserClientTunnel> = {
  spec,
  prepare: prepareUserClient,
  hostFlags: ["server_host"],
  describeProgram: (tunnels) => {
    const server = serverStatus(tunnels);
    return server ? { server } : {};
  },
};

/**
 * Runs the command line; resolves with the exit status. `release.version`
 * replaces the package's own (the single executable prints its release).
 */
export function main(argv: readonly string[], release: { version?: string } = {}): Promise<number> {
  return runProgram(asRelease(program, release.version), argv);
}
