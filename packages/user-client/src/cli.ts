import { isIPv4 } from "node:net";
import {
  formatEndpoint,
  invalidArg,
  padUniqueId,
  startUserClient,
  type UserClientOptions,
} from "@fwd/core";
import {
  type CliSpec,
  type FlagValues,
  type Logger,
  type Running,
  runCli,
  superviseService,
} from "@fwd/core/cli";
import pkg from "../package.json" with { type: "json" };

export const spec = {
  name: "user-client",
  version: pkg.version,
  summary:
    "The client of the user pair: listens locally and, for each local connection, asks the " +
    "user-server to connect to server_target_host:server_target_port on its side, then relays. " +
    "A drop-in for tcp_forwarding_user_client.py, serving many connections at once.",
  flags: {
    server_host: { kind: "host", default: "xxx.yyy.cn", describe: "The user-server's host" },
    server_port: { kind: "port", default: 22222, describe: "The user-server's port" },
    bind_host: { kind: "host", default: "0.0.0.0", describe: "Address to listen on locally" },
    bind_port: {
      kind: "listen-port",
      default: 10086,
      describe: "Port to listen on locally (0: any free port)",
    },
    server_target_host: {
      kind: "host",
      default: "192.168.1.200",
      describe: "Target the server connects to (IPv4, on its side)",
    },
    server_target_port: { kind: "port", default: 3389, describe: "Port of that target" },
    unique_id: {
      kind: "string",
      default: "0000000000000000",
      describe: "This client's id, up to 16 characters (left-padded with 0)",
    },
    connect_timeout: {
      kind: "seconds",
      default: 10,
      describe: "Give up connecting to the server after this many seconds",
    },
    handshake_timeout: {
      kind: "seconds",
      default: 10,
      describe: "Give up waiting for the server's answer after this many seconds",
    },
    idle_timeout: {
      kind: "seconds",
      describe: "Close a connection after this many seconds without traffic (default: never)",
    },
  },
  examples: [
    [
      "user-client --server_host office.example.com --bind_port 13389 --server_target_host 192.168.1.200",
      "Remote Desktop to 192.168.1.200 in the office through localhost:13389",
    ],
  ],
  epilog: "Exit status: 0 after Ctrl+C or a stop signal, 1 on a runtime failure, 2 on bad usage.",
} as const satisfies CliSpec;

export type UserClientFlags = FlagValues<typeof spec.flags>;

/** Maps the command line flags onto the typed @fwd/core startUserClient() options. */
export function toUserClientOptions(flags: UserClientFlags): UserClientOptions {
  if (!isIPv4(flags.server_target_host)) {
    throw invalidArg(
      `--server_target_host must be an IPv4 address: the legacy protocol cannot carry ${JSON.stringify(flags.server_target_host)}`,
    );
  }
  const options: UserClientOptions = {
    bind: { host: flags.bind_host, port: flags.bind_port },
    server: { host: flags.server_host, port: flags.server_port },
    target: { host: flags.server_target_host, port: flags.server_target_port },
    uniqueId: padUniqueId(flags.unique_id),
    connectTimeoutMs: flags.connect_timeout * 1000,
    handshakeTimeoutMs: flags.handshake_timeout * 1000,
  };
  if (flags.idle_timeout !== undefined) options.idleTimeoutMs = flags.idle_timeout * 1000;
  return options;
}

export async function startUserClientCli(flags: UserClientFlags, log: Logger): Promise<Running> {
  const options = toUserClientOptions(flags);
  const client = await startUserClient(options);
  const running = superviseService(client, log, "user-client");
  log.info(
    `listening on ${formatEndpoint(client.address())}, reaching ${formatEndpoint(options.target)} ` +
      `through server ${formatEndpoint(options.server)}`,
  );
  return running;
}

/** Runs the command line; resolves with the exit status. */
export function main(argv: readonly string[]): Promise<number> {
  return runCli(spec, argv, startUserClientCli);
}
