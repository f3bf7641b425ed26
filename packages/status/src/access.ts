import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1, "localhost". */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  const lower = bare.toLowerCase();
  if (lower === "localhost" || lower.endsWith(".localhost")) return true;
  switch (isIP(lower)) {
    case 4:
      return lower.startsWith("127.");
    case 6:
      return lower === "::1" || lower.startsWith("::ffff:127.");
    default:
      return false;
  }
}

/** "host:port", with brackets around an IPv6 host. */
export function formatHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The line a CLI prints at start when the status page is bound beyond
 * loopback (with a token: without one it does not start), or undefined on
 * loopback.
 */
export function statusExposureWarning(options: {
  host: string;
  port: number;
  token?: string | undefined;
}): string | undefined {
  if (isLoopbackHost(options.host)) return undefined;
  const where = formatHostPort(options.host, options.port);
  const protection = options.token ? "protected by --status_token" : "NOT protected by a token";
  return `status page on ${where} is reachable from the network; ${protection}`;
}

/** Compares a presented token with the expected one in time independent of either. */
export class TokenCheck {
  private readonly expected: Buffer;

  constructor(token: string) {
    this.expected = digest(token);
  }

  /** True when the request carries the token as a Bearer header or `?token=`. */
  allows(request: IncomingMessage, url: URL): boolean {
    const presented = presentedToken(request, url);
    // Digests have one length, so timingSafeEqual never sees two.
    return presented !== undefined && timingSafeEqual(digest(presented), this.expected);
  }
}

function digest(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

function presentedToken(request: IncomingMessage, url: URL): string | undefined {
  const bearer = /^Bearer[ \t]+(.+?)[ \t]*$/i.exec(request.headers.authorization ?? "");
  return bearer?.[1] ?? url.searchParams.get("token") ?? undefined;
}

/**
 * A page on another site can point a name of its own at 127.0.0.1 (DNS
 * rebinding) and read a loopback server that needs no token. Its requests
 * then carry that name in Host: answer only requests addressed by a
 * loopback name or address.
 */
export function hostHeaderIsLoopback(request: IncomingMessage): boolean {
  const host = request.headers.host;
  if (host === undefined) return false;
  const name = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.split(":")[0]!;
  return isLoopbackHost(name);
}
