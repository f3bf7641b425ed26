import { formatEndpoint, type MultiServerOptions, startMultiServer } from "@fwd/core";
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
  name: "multi-server",
  version: pkg.version,
  summary:
    "The server of the reverse tunnel: multi-clients register here and have it open a public " +
    "port; each connection to that port reaches the client's target. A drop-in for " +
    "tcp_forwarding_multi_server.py (and _select) that keeps public ports open and serves " +
    "many connections at once.",
  flags: {
    bind_host: { kind: "host", default: "0.0.0.0", describe: "Address to listen on for clients" },
    bind_port: {
      kind: "listen-port",
      default: 33333,
      describe: "Port to listen on for clients (0: any free port)",
    },
    handshake_timeout: {
      kind: "seconds",
      default: 10,
      describe: "Drop a client that has not sent its request within this many seconds",
    },
    hold_timeout: {
      kind: "seconds",
      default: 10,
      describe: "How long a public connection waits for a client registration",
    },
    idle_timeout: {
      kind: "seconds",
      describe: "Close a connection after this many seconds without traffic (default: never)",
    },
  },
  examples: [["multi-server --bind_port 33333", "Accept reverse-tunnel clients on port 33333"]],
  epilog: "Exit status: 0 after Ctrl+C or a stop signal, 1 on a runtime failure, 2 on bad usage.",
} as const satisfies CliSpec;

export type MultiServerFlags = FlagValues<typeof spec.flags>;

/** Maps the command line flags onto the typed @fwd/core startMultiServer() options. */
export function toMultiServerOptions(flags: MultiServerFlags): MultiServerOptions {
  const options: MultiServerOptions = {
    bind: { host: flags.bind_host, port: flags.bind_port },
    handshakeTimeoutMs: flags.handshake_timeout * 1000,
    holdTimeoutMs: flags.hold_timeout * 1000,
  };
  if (flags.idle_timeout !== undefined) options.idleTimeoutMs = flags.idle_timeout * 1000;
  return options;
}

export async function startMultiServerCli(flags: MultiServerFlags, log: Logger): Promise<Running> {
  const server = await startMultiServer(toMultiServerOptions(flags));
  const running = superviseService(server, log, "multi-server");
  log.info(`listening on ${formatEndpoint(server.address())} for multi-client registrations`);
  return running;
}

/** Runs the command line; resolves with the exit status. */
export function main(argv: readonly string[]): Promise<number> {
  return runCli(spec, argv, startMultiServerCli);
}
