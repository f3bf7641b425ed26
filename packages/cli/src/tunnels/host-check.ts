import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import { ErrorCodes } from "@fwd/core";
import createDebug from "debug";
import type { ResolvedTunnel } from "../config/resolve.js";
import type { FlagSpecs } from "../flags.js";
import type { Logger } from "../logger.js";
import type { RunningTunnel, TunnelProgram } from "./program.js";

const debug = createDebug("fwd:cli:hosts");

export type Lookup = (host: string) => Promise<unknown>;

const REASONS: Record<string, string> = {
  ENOTFOUND: "no such host",
  EAI_NONAME: "no such host",
  EAI_AGAIN: "the name server did not answer",
  ESERVFAIL: "the name server failed",
};

/**
 * Looks a host flag's value up once, in the background, and writes one
 * warning if it does not resolve. Not fatal: a name may resolve later (the
 * VPN comes up, DNS comes back), and every connection looks it up again.
 */
export function warnIfUnresolvable(
  flag: string,
  host: string,
  log: Logger,
  lookup: Lookup = dnsLookup,
): Promise<void> {
  if (isIP(host) !== 0) return Promise.resolve();
  return lookup(host).then(
    () => debug("%s %s resolves", flag, host),
    (err: NodeJS.ErrnoException) => {
      const reason = REASONS[err.code ?? ""] ?? err.code ?? err.message;
      log.warn(
        `${flag} ${host} does not resolve (${reason}); connections to it fail until it does`,
        { code: ErrorCodes.HOST_NOT_FOUND },
      );
    },
  );
}

/**
 * Looks up the host flags of tunnels that start, once per value: a
 * program-wide one (the server) once for all, on the program's log
 * (`logFor(undefined)`), a tunnel's own on that tunnel's log.
 */
export function warnAboutHosts<F extends FlagSpecs, T extends RunningTunnel>(
  program: TunnelProgram<F, T>,
  tunnels: readonly ResolvedTunnel<F>[],
  logFor: (tunnel: string | undefined) => Logger,
): void {
  const seen = new Set<string>();
  for (const tunnel of tunnels) {
    for (const flag of program.hostFlags ?? []) {
      const host = tunnel.values[flag];
      const programWide = (program.spec.flags[flag]?.scope ?? "program") === "program";
      const key = `${programWide ? "" : tunnel.name}\0${flag}\0${String(host)}`;
      if (typeof host !== "string" || seen.has(key)) continue;
      seen.add(key);
      void warnIfUnresolvable(`--${flag}`, host, logFor(programWide ? undefined : tunnel.name));
    }
  }
}
