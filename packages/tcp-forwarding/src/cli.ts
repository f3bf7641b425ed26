import {
  asRelease,
  bindHostFlag,
  bindPortFlag,
  type CliSpec,
  commonFlags,
  connectTimeoutFlag,
  EXIT_STATUS_EPILOG,
  type FlagValues,
  idleTimeoutFlag,
  perTunnel,
  type RunningTunnel,
  runProgram,
  type TunnelContext,
  type TunnelProgram,
  toMs,
} from "@fwd/cli";
import { type ForwardOptions, formatEndpoint, forward } from "@fwd/core";
import pkg from "../package.json" with { type: "json" };

export const spec = {
  name: "tcp-forwarding",
  version: pkg.version,
  summary:
    "Forwards every TCP connection to bind_host:bind_port on to target_host:target_port, " +
    "many connections at once. A drop-in for tcp_forwarding.py.",
  flags: {
    ...perTunnel({
      bind_host: bindHostFlag(),
      bind_port: bindPortFlag(11111),
      target_host: {
        kind: "host",
        default: "localhost",
        describe: "Host to forward connections to",
        option: "target.host",
      },
      target_port: {
        kind: "port",
        default: 3389,
        describe: "Port to forward connections to",
        option: "target.port",
      },
      connect_timeout: connectTimeoutFlag(
        "Give up connecting to the target after this many seconds",
      ),
      idle_timeout: idleTimeoutFlag,
    }),
    ...commonFlags,
  },
  tunnels: { host: "bind_host", port: "bind_port", what: "listening address" },
  examples: [
    [
      "tcp-forwarding --bind_port 13389 --target_host 192.168.1.20 --target_port 3389",
      "Remote Desktop to 192.168.1.20 through this machine's port 13389",
    ],
  ],
  epilog: EXIT_STATUS_EPILOG,
} as const satisfies CliSpec;

export type TcpForwardingFlags = FlagValues<typeof spec.flags>;

/** Maps the command line flags onto the typed @fwd/core forward() options. */
export function toForwardOptions(flags: TcpForwardingFlags): ForwardOptions {
  return {
    bind: { host: flags.bind_host, port: flags.bind_port },
    target: { host: flags.target_host, port: flags.target_port },
    connectTimeoutMs: toMs(flags.connect_timeout),
    idleTimeoutMs: toMs(flags.idle_timeout),
  };
}

/** One tunnel: a Forwarder from its listening address to its target. */
export function prepareForward(
  flags: TcpForwardingFlags,
  { log }: TunnelContext,
): () => Promise<RunningTunnel> {
  const options = toForwardOptions(flags);
  return async () => {
    const forwarder = await forward(options);
    const listen = formatEndpoint(forwarder.address());
    const target = formatEndpoint(options.target);
    log.info(`listening on ${listen}, forwarding to ${target}`);
    return {
      service: forwarder,
      peers: "clients",
      describe: () => ({
        kind: "forward",
        detail: `listening on ${listen}, forwarding to ${target}`,
        listen,
        target,
      }),
    };
  };
}

/** What runProgram runs: one Forwarder per tunnel. */
export const program: TunnelProgram<typeof spec.flags> = {
  spec,
  prepare: prepareForward,
  hostFlags: ["target_host"],
};

/**
 * Runs the command line; resolves with the exit status. `release.version`
 * replaces the package's own (the single executable prints its release).
 */
export function main(argv: readonly string[], release: { version?: string } = {}): Promise<number> {
  return runProgram(asRelease(program, release.version), argv);
}
