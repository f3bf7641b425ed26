import { isIP } from "node:net";
import { invalidArg } from "./errors.js";

/** A TCP endpoint: a host name, IPv4 or IPv6 literal, and a port. */
export interface Endpoint {
  host: string;
  port: number;
}

/** `host:port`, with IPv6 literals in brackets so the port stays unambiguous. */
export function formatEndpoint({ host, port }: Endpoint): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The endpoint a listening or connected socket reports, formatted for logs. */
export function formatSocketAddress(
  address: { address?: string | undefined; port?: number | undefined } | null | undefined,
): string {
  if (!address?.address) return "unknown";
  return formatEndpoint({ host: address.address, port: address.port ?? 0 });
}

/**
 * Checks a port number. `name` is what the user typed it as (a flag name),
 * so the error can point at it.
 */
export function checkPort(port: unknown, name: string, { allowZero = false } = {}): number {
  const min = allowZero ? 0 : 1;
  if (typeof port !== "number" || !Number.isInteger(port) || port < min || port > 65535) {
    throw invalidArg(`${name} must be a whole number from ${min} to 65535, got ${show(port)}`);
  }
  return port;
}

/** Checks a host: a non-empty name or IP literal, brackets around IPv6 allowed. */
export function checkHost(host: unknown, name: string): string {
  if (typeof host !== "string" || host.trim() === "") {
    throw invalidArg(`${name} must be a host name or IP address, got ${show(host)}`);
  }
  const bare = host.trim().replace(/^\[(.*)\]$/, "$1");
  if (/[\s/]/.test(bare)) {
    throw invalidArg(`${name} must be a host name or IP address, got ${show(host)}`);
  }
  return bare;
}

/** Checks a whole endpoint, naming the two flags it came from in errors. */
export function checkEndpoint(
  endpoint: { host?: unknown; port?: unknown },
  names: { host: string; port: string },
  options: { allowZeroPort?: boolean } = {},
): Endpoint {
  return {
    host: checkHost(endpoint.host, names.host),
    port: checkPort(endpoint.port, names.port, { allowZero: options.allowZeroPort ?? false }),
  };
}

function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}
