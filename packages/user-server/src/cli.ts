import { formatEndpoint, startUserServer, type UserServerOptions } from "@fwd/core";
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
  name: "user-server",
  version: pkg.version,
  summary:
    "The server of the user pair: each user-client connection names a target on this side; " +
    "the server connects to it and relays. A drop-in for tcp_forwarding_user_server.py that " +
    "speaks its wire format.",
  flags: {
    bind_host: { kind: "host", default: "0.0.0.0", describe: "Address to listen on" },
    bind_port: {
      kind: "listen-port",
      default: 22222,
      describe: "Port to listen on (0: any free port)",
    },
    handshake_timeout: {
      kind: "seconds",
      default: 10,
      describe: "Drop a client that has not sent its request within this many seconds",
    },
    connect_timeout: {
      kind: "seconds",
      default: 10,
      describe: "Give up connecting to a requested target after this many seconds",
    },
    idle_timeout: {
      kind: "seconds",
      describe: "Close a connection after this many seconds without traffic (default: never)",
    },
  },
  examples: [["user-server --bind_port 22222", "Let user-clients reach hosts on this network"]],
  epilog: "Exit status: 0 after Ctrl+C or a stop signal, 1 on a runtime failure, 2 on bad usage.",
} as const satisfies CliSpec;

export type UserServerFlags = FlagValues<typeof spec.flags>;

/** Maps the command line flags onto the typed @fwd/core startUserServer() options. */
export function toUserServerOptions(flags: UserServerFlags): UserServerOptions {
  const options: UserServerOptions = {
    bind: { host: flags.bind_host, port: flags.bind_port },
    handshakeTimeoutMs: flags.handshake_timeout * 1000,
    connectTimeoutMs: flags.connect_timeout * 1000,
  };
  if (flags.idle_timeout !== undefined) options.idleTimeoutMs = flags.idle_timeout * 1000;
  return options;
}

export async function startUserServerCli(flags: UserServerFlags, log: Logger): Promise<Running> {
  const server = await startUserServer(toUserServerOptions(flags));
  const running = superviseService(server, log, "user-server");
  log.info(`listening on ${formatEndpoint(server.address())} for user-client connections`);
  return running;
}

/** Runs the command line; resolves with the exit status. */
export function main(argv: readonly string[]): Promise<number> {
  return runCli(spec, argv, startUserServerCli);
}
