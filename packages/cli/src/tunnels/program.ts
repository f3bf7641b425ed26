/**
 * What each fwd program tells the shared runner: how one tunnel's values
 * become a running service, and what its status rows say. The runner
 * (runProgram) does the rest: config files, reload, logs, status page.
 */
import type { ConnectionInfo } from "@fwd/core";
import type { ClientStatus, ListenerStatus, ServerLinkStatus, TunnelStatus } from "@fwd/status";
import type { FlagSpecs, FlagValues } from "../flags.js";
import type { Logger } from "../logger.js";
import type { CliSpec } from "../parse.js";
import type { AnyService } from "../service-log.js";

export interface TunnelContext {
  /** The tunnel's name: from the config file, or derived from its port. */
  name: string;
  /** Its log: with a config file, every line names the tunnel. */
  log: Logger;
  env: NodeJS.ProcessEnv;
}

/** What a program says about a tunnel's row beyond the counters every service keeps. */
export type TunnelDescription = Pick<TunnelStatus, "kind" | "detail"> &
  Partial<
    Pick<
      TunnelStatus,
      | "state"
      | "stateSince"
      | "listen"
      | "target"
      | "owner"
      | "peer"
      | "protocol"
      | "waitingRegistrations"
      | "publicPort"
      | "heldVisitors"
      | "readyLinks"
      | "heartbeatRttMs"
      | "lastError"
    >
  >;

/** One tunnel's running service, as the program started it. */
export interface RunningTunnel {
  service: AnyService;
  /** Who connects, as the stop summary names them: "clients", "visitors". */
  peers: string;
  /** The row's kind, state and addresses (read for every status snapshot: keep it cheap). */
  describe(): TunnelDescription;
  /**
   * Rows of its own in place of the one row, with their own counters
   * (multi-server: one per public port).
   */
  rows?(): TunnelStatus[];
  /** The row of rows() a connection belongs to. */
  rowOf?(info: ConnectionInfo): string | undefined;
  /** The stop line in place of "served N connections …". */
  summary?(): string;
}

/** The parts of the status document about the whole program, not one tunnel. */
export interface ProgramStatus {
  server?: ServerLinkStatus;
  listener?: ListenerStatus;
  clients?: ClientStatus[];
  handshakeFailures?: Record<string, number>;
}

export interface TunnelProgram<F extends FlagSpecs, T extends RunningTunnel = RunningTunnel> {
  spec: CliSpec<F>;
  /**
   * Checks one tunnel's values and reads the files they name (token,
   * certificates) without opening anything; returns what starts the tunnel
   * and logs its start line. Throws on values it cannot use: a reload that
   * meets one changes nothing.
   */
  prepare(values: FlagValues<F>, context: TunnelContext): () => Promise<T>;
  /** Host flags looked up at start: a name that does not resolve gets a warning (not fatal). */
  hostFlags?: readonly (keyof F & string)[];
  /** The status document's program-wide parts, over the tunnels running now. */
  describeProgram?(tunnels: readonly T[], values: FlagValues<F>): ProgramStatus;
}

/** The program under a release's version: the single executable prints its own. */
export function asRelease<F extends FlagSpecs, T extends RunningTunnel>(
  program: TunnelProgram<F, T>,
  version: string | undefined,
): TunnelProgram<F, T> {
  return version === undefined ? program : { ...program, spec: { ...program.spec, version } };
}
