/**
 * Allowlists a server checks on every request: which targets a user-server
 * may connect to (`allowTargets`) and which public ports a multi-server may
 * open (`allowPorts`). Unset means allow all, as the legacy scripts did.
 */
import { BlockList, isIP } from "node:net";
import { invalidOption } from "./errors.js";
import { HOST_CHARACTERS } from "./protocol/v2.js";

/** An inclusive port range. */
export interface PortRange {
  from: number;
  to: number;
}

function parsePortRange(text: string, option: string, entry: string): PortRange {
  const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  const from = Number(match?.[1]);
  const to = Number(match?.[2] ?? match?.[1]);
  if (!match || from < 1 || to > 65535 || from > to) {
    throw invalidOption(
      option,
      `has a bad port ${JSON.stringify(text)} in ${JSON.stringify(entry)}; use a port (3389) or a range (10000-10100)`,
      entry,
    );
  }
  return { from, to };
}

function splitEntries(spec: string): string[] {
  return spec
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
}

/** Ports a multi-server may open, e.g. "10000-10100,3389". */
export class PortAllowlist {
  private constructor(readonly ranges: readonly PortRange[]) {}

  static parse(spec: string): PortAllowlist {
    const option = "allowPorts";
    const ranges = splitEntries(spec).map((entry) => parsePortRange(entry, option, entry));
    if (ranges.length === 0)
      throw invalidOption(option, "is empty; list ports or ranges, e.g. 10000-10100,3389", spec);
    return new PortAllowlist(ranges);
  }

  allows(port: number): boolean {
    return this.ranges.some((range) => port >= range.from && port <= range.to);
  }

  toString(): string {
    return this.ranges.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`)).join(",");
  }
}

interface TargetRule {
  /** A host name, lower case; "*.lan" matches every name under lan. */
  name?: string;
  /** Addresses: one IP or a CIDR block. */
  net?: BlockList;
  /** Undefined: any port. */
  ports?: PortRange;
  text: string;
}

/**
 * Targets a user-server may connect to, e.g. "192.168.1.0/24:3389,db.lan:5432".
 * Each entry is an IPv4 address or CIDR, an IPv6 one in brackets
 * ("[fd00::/8]:22"), or a host name ("db.lan", "*.lan"), with an optional
 * port or range. Address rules are checked against the address the server
 * resolved, so a name that resolves into a denied network stays denied.
 */
export class TargetAllowlist {
  private constructor(private readonly rules: readonly TargetRule[]) {}

  static parse(spec: string): TargetAllowlist {
    const option = "allowTargets";
    const rules = splitEntries(spec).map((entry) => parseTargetRule(entry, option));
    if (rules.length === 0)
      throw invalidOption(option, "is empty; list targets, e.g. 192.168.1.0/24:3389", spec);
    return new TargetAllowlist(rules);
  }

  /** `host` as requested, `address` as resolved, and the port. */
  allows(host: string, address: string, port: number): boolean {
    if (!HOST_CHARACTERS.test(host)) return false;
    const name = host.toLowerCase().replace(/\.$/, "");
    const family = isIP(address) === 6 ? "ipv6" : "ipv4";
    return this.rules.some((rule) => {
      if (rule.ports && (port < rule.ports.from || port > rule.ports.to)) return false;
      if (rule.net) return isIP(address) !== 0 && rule.net.check(address, family);
      if (rule.name?.startsWith("*.")) return name.endsWith(rule.name.slice(1));
      return rule.name === name;
    });
  }

  toString(): string {
    return this.rules.map((rule) => rule.text).join(",");
  }
}

function parseTargetRule(entry: string, option: string): TargetRule {
  // [v6] or [v6/len] or [v6]/len, then an optional :ports
  const v6 = /^\[([0-9a-fA-F:.]+)(?:\/(\d+))?\](?:\/(\d+))?(?::(.+))?$/.exec(entry);
  let host: string;
  let prefix: string | undefined;
  let ports: string | undefined;
  if (v6) {
    host = v6[1]!;
    prefix = v6[2] ?? v6[3];
    ports = v6[4];
    if (isIP(host) !== 6)
      throw invalidOption(option, `has ${JSON.stringify(entry)}, not a valid IPv6 address`, entry);
  } else {
    const match = /^([^:/\s]+)(?:\/(\d+))?(?::([^:]+))?$/.exec(entry);
    if (!match) {
      throw invalidOption(
        option,
        `has ${JSON.stringify(entry)}, which is not HOST[:PORT]; write e.g. 192.168.1.0/24:3389, db.lan:5432 or [fd00::1]:22`,
        entry,
      );
    }
    host = match[1]!;
    prefix = match[2];
    ports = match[3];
  }
  const rule: TargetRule = { text: entry };
  if (ports !== undefined && ports !== "*") rule.ports = parsePortRange(ports, option, entry);
  const family = isIP(host);
  if (family === 0) {
    if (prefix !== undefined)
      throw invalidOption(
        option,
        `has ${JSON.stringify(entry)}: a prefix length needs an IP address`,
        entry,
      );
    if (!/^(\*\.)?[a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)*\.?$/.test(host)) {
      throw invalidOption(
        option,
        `has ${JSON.stringify(host)}, not a host name or IP address`,
        entry,
      );
    }
    rule.name = host.toLowerCase().replace(/\.$/, "");
    return rule;
  }
  const type = family === 6 ? "ipv6" : "ipv4";
  const bits = prefix === undefined ? (family === 6 ? 128 : 32) : Number(prefix);
  if (!(bits >= 0 && bits <= (family === 6 ? 128 : 32))) {
    throw invalidOption(
      option,
      `has ${JSON.stringify(entry)} with a bad prefix length /${prefix}`,
      entry,
    );
  }
  rule.net = new BlockList();
  rule.net.addSubnet(host, bits, type);
  return rule;
}
