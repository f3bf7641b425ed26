import {
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
  messageOf,
  perTunnel,
  type Running,
  runCli,
  superviseService,
  timeoutFlag,
  tokenFlags,
  toMs,
  uniqueIdFlag,
} from "@fwd/cli";
import {
  defaults,
  formatEndpoint,
  type MultiClientOptions,
  type RegistrationState,
  startMultiClient,
} from "@fwd/core";
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
        kind: "port",
        default: 10086,
        describe: "The public port the server opens",
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
    ...lifecycleFlags,
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

export async function startMultiClientCli(flags: MultiClientFlags, log: Logger): Promise<Running> {
  const options = toMultiClientOptions(flags);
  const client = await startMultiClient(options);
  client.on("state", (state) => {
    const line = describeState(state, options);
    if (!line) return;
    if (state.state === "registered") log.info(line);
    else log.warn(line);
  });
  const running = superviseService(client, log, spec);
  log.info(
    `connecting to server ${formatEndpoint(options.server)} for public port ${options.publicPort} ` +
      `→ ${formatEndpoint(options.target)}`,
  );
  return running;
}

/**
 * Runs the command line; resolves with the exit status. `release.version`
 * replaces the package's own (the single executable prints its release).
 */
export function main(argv: readonly string[], release: { version?: string } = {}): Promise<number> {
  return runCli({ ...spec, version: release.version ?? spec.version }, argv, startMultiClientCli);
}
