import {
  asRelease,
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
import {
  defaults,
  ErrorCodes,
  FwdError,
  formatEndpoint,
  MultiClient,
  type MultiClientOptions,
  type RegistrationState,
} from "@fwd/core";
import type { ServerLinkStatus, TunnelState } from "@fwd/status";
import pkg from "../package.json" with { type: "json" };

export const spec = {
  name: "multi-client",
  version: pkg.version,
  summary:
    "The client of the reverse tunnel: registers with a multi-server, which opens " +
    "server_target_port to the public; each connection to it reaches target_host:target_port " +
    "on this side. A drop-in for tcp_forwarding_multi_client.py that serves many connections " +
    "at once and retries with backoff.",
  flags: {
    server_host: {
      kind: "host",
      default: "xxx.yyy.cn",
      describe: "The multi-server's host",
      option: "server.host",
    },
    server_port: {
      kind: "port",
      default: 33333,
      describe: "The multi-server's port",
      option: "server.port",
    },
    ...perTunnel({
      target_host: {
        kind: "host",
        default: "localhost",
        describe: "Where public connections go, on this side",
        option: "target.host",
      },
      target_port: {
        kind: "port",
        default: 3389,
        describe: "Port of that target",
        option: "target.port",
      },
      server_target_port: {
        kind: "listen-port",
        default: 10086,
        describe:
          "The public port the server opens (0: any free port, which the log and status then name; needs v2)",
        option: "publicPort",
      },
      unique_id: uniqueIdFlag,
      connect_timeout: connectTimeoutFlag(
        "Give up connecting to the server or target after this many seconds",
      ),
      register_timeout: timeoutFlag(
        defaults.registerTimeoutMs,
        "Renew a registration nothing used within this many seconds",
        "registerTimeoutMs",
      ),
      idle_timeout: idleTimeoutFlag,
    }),
    heartbeat_interval: heartbeatFlag,
    ...tokenFlags,
    ...clientTlsFlags,
    ...commonFlags,
  },
  tunnels: { port: "server_target_port", what: "public port" },
  examples: [
    [
      "multi-client --server_host vps.example.com --server_target_port 13389",
      "Remote Desktop to this PC through vps.example.com:13389",
    ],
  ],
  epilog: EXIT_STATUS_EPILOG,
} as const satisfies CliSpec;

export type MultiClientFlags = FlagValues<typeof spec.flags>;

/** Maps the command line flags onto the typed @fwd/core startMultiClient() options. */
export function toMultiClientOptions(
  flags: MultiClientFlags,
  env = process.env,
): MultiClientOptions {
  const options: MultiClientOptions = {
    ...clientSecurity(flags, env),
    server: { host: flags.server_host, port: flags.server_port },
    target: { host: flags.target_host, port: flags.target_port },
    publicPort: flags.server_target_port,
    uniqueId: flags.unique_id,
    connectTimeoutMs: toMs(flags.connect_timeout),
    registerTimeoutMs: toMs(flags.register_timeout),
    idleTimeoutMs: toMs(flags.idle_timeout),
    heartbeatIntervalMs: toMs(flags.heartbeat_interval),
  };
  return options;
}

/** One line per change of the tunnel's state, saying only what the server has said. */
export function describeState(
  state: RegistrationState,
  options: MultiClientOptions,
): string | undefined {
  const server = `server ${formatEndpoint(options.server)}`;
  const target = formatEndpoint(options.target);
  switch (state.state) {
    case "requested":
      return `asked ${server} for public port ${options.publicPort}; a legacy server answers only when the first visitor arrives`;
    case "registered": {
      const back =
        state.downForMs === undefined
          ? ""
          : ` (back after ${(state.downForMs / 1000).toFixed(1)} s)`;
      return state.protocol === "v2"
        ? `registered with ${server}: public port ${state.port} is open and reaches ${target}${back}`
        : `${server} answered (legacy protocol): public port ${state.port} reaches ${target}${back}`;
    }
    case "retrying":
      return state.retryInMs === 0
        ? `lost ${server}: ${messageOf(state.error, spec)}; reconnecting`
        : `${messageOf(state.error, spec)}; retrying (next attempt in ${(state.retryInMs / 1000).toFixed(1)} s)`;
    case "refused":
      return `${messageOf(state.error, spec)}; retrying (next attempt in ${(state.retryInMs / 1000).toFixed(1)} s)`;
    case "stopped":
      return undefined;
  }
}

/** MultiClient.status()'s shape (core does not export its name). */
type MultiClientStatus = ReturnType<MultiClient["status"]>;

const STATES: Record<MultiClientStatus["state"], TunnelState> = {
  connecting: "connecting",
  requested: "connecting",
  registered: "up",
  retrying: "down",
  refused: "refused",
  stopped: "stopped",
};

/** One tunnel's client and what its status says of it. */
export interface MultiClientTunnel extends RunningTunnel {
  client: MultiClient;
  options: MultiClientOptions;
}

/** One tunnel: a MultiClient keeping one public port open on the server. */
export function prepareMultiClient(
  flags: MultiClientFlags,
  { log, env }: TunnelContext,
): () => Promise<MultiClientTunnel> {
  const options = toMultiClientOptions(flags, env);
  if (options.publicPort === 0 && options.protocol !== "v2" && options.token === undefined) {
    // Auto mode could fall back to a legacy server, which cannot say which port it opened.
    throw new FwdError(
      ErrorCodes.INVALID_ARG,
      "`publicPort` 0 (any free port) needs the v2 protocol: set `protocol` to v2, or a token",
      { option: "publicPort", value: 0 },
    );
  }
  const client = new MultiClient(options); // checks the options now, before anything starts
  const server = formatEndpoint(options.server);
  const target = formatEndpoint(options.target);
  let detail = `connecting to server ${server} for public port ${options.publicPort} → ${target}`;
  client.on("state", (state) => {
    const line = describeState(state, options);
    if (!line) return;
    detail = line;
    if (state.state === "registered") log.info(line);
    else log.warn(line, "error" in state && state.error ? { code: state.error.code } : {});
  });
  return async () => {
    await client.start();
    log.info(detail);
    return {
      client,
      options,
      service: client,
      peers: "visitors",
      describe: () => {
        const status = client.status();
        return {
          kind: "multi-client",
          state: STATES[status.state],
          stateSince: new Date(status.since).toISOString(),
          detail,
          target,
          protocol: status.protocol,
          publicPort: status.publicPort,
          waitingRegistrations: status.waiting,
          heartbeatRttMs: status.rttMs,
          ...(status.error
            ? {
                lastError: {
                  code: status.error.code,
                  message: messageOf(status.error, spec),
                  at: new Date(status.since).toISOString(),
                },
              }
            : {}),
        };
      },
    };
  };
}

const RANK: TunnelState[] = ["up", "refused", "down", "connecting", "draining", "stopped"];

/** The server all tunnels share: up if any tunnel is registered, else the best the others say. */
export function serverStatus(tunnels: readonly MultiClientTunnel[]): ServerLinkStatus | undefined {
  const [first] = tunnels;
  if (!first) return undefined;
  const rows = tunnels.map((tunnel) => tunnel.describe());
  const state =
    RANK.find((candidate) => rows.some((row) => row.state === candidate)) ?? "connecting";
  const rtts = rows.flatMap((row) =>
    row.heartbeatRttMs === undefined ? [] : [row.heartbeatRttMs],
  );
  const lastError = rows
    .flatMap((row) => (row.lastError ? [row.lastError] : []))
    .reduce<ServerLinkStatus["lastError"]>((a, b) => (a && a.at >= b.at ? a : b), undefined);
  const protocol = rows.find((row) => row.protocol)?.protocol;
  return {
    address: formatEndpoint(first.options.server),
    state,
    tls: first.options.tls !== undefined,
    ...(protocol ? { protocol } : {}),
    ...(rtts.length > 0 ? { heartbeatRttMs: Math.min(...rtts) } : {}),
    ...(lastError ? { lastError } : {}),
  };
}

/** What runProgram runs: one MultiClient per tunnel (public port), all with one server. */
export const program: TunnelProgram<typeof spec.flags, MultiClientTunnel> = {
  spec,
  prepare: prepareMultiClient,
  hostFlags: ["server_host", "target_host"],
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
