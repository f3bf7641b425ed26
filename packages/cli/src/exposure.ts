import { isIP } from "node:net";

/** Whether a bind address only accepts connections from this machine. */
export function isLoopbackBind(host: string): boolean {
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1";
}

/**
 * The start-up warning for a server anyone can use: bound beyond loopback
 * with neither a token nor an allowlist. Undefined when it is protected.
 */
export function exposureWarning(
  server: "user-server" | "multi-server",
  bindHost: string,
  protection: { token: boolean; allowlist: boolean },
): string | undefined {
  if (isLoopbackBind(bindHost) || protection.token || protection.allowlist) return undefined;
  return server === "user-server"
    ? `listening on ${bindHost} with neither --token nor --allow_targets: anyone who can reach this port can connect through it to any host and port this machine reaches (an open relay); set --token, --allow_targets, or bind to 127.0.0.1`
    : `listening on ${bindHost} with neither --token nor --allow_ports: anyone who can reach this port can open any port on this machine and receive its connections; set --token, --allow_ports, or bind to 127.0.0.1`;
}
