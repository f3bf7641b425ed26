import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import { ErrorCodes } from "@fwd/core";
import createDebug from "debug";
import type { Logger } from "../logger.js";

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
