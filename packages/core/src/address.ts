import { isIP } from "node:net";

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
