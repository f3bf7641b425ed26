import { describe, expect, it } from "vitest";
import { PortAllowlist, TargetAllowlist } from "../src/allowlist.js";

describe("TargetAllowlist", () => {
  const list = TargetAllowlist.parse(
    "192.168.1.0/24:3389, db.lan:5432, 10.0.0.5:1000-2000, [fd00::/8]:22, *.corp:443, 172.16.0.9",
  );

  it.each([
    // requested host, resolved address, port, allowed
    ["192.168.1.20", "192.168.1.20", 3389, true],
    ["192.168.1.20", "192.168.1.20", 3390, false],
    ["192.168.2.20", "192.168.2.20", 3389, false],
    ["db.lan", "10.9.9.9", 5432, true],
    ["DB.LAN.", "10.9.9.9", 5432, true],
    ["db.lan", "10.9.9.9", 5433, false],
    ["other.lan", "10.9.9.9", 5432, false],
    ["10.0.0.5", "10.0.0.5", 1000, true],
    ["10.0.0.5", "10.0.0.5", 2000, true],
    ["10.0.0.5", "10.0.0.5", 2001, false],
    ["fd12::1", "fd12::1", 22, true],
    ["fe80::1", "fe80::1", 22, false],
    ["mail.corp", "1.2.3.4", 443, true],
    ["corp", "1.2.3.4", 443, false],
    ["172.16.0.9", "172.16.0.9", 65535, true],
    // A name is checked by its resolved address against address rules.
    ["rdp.example", "192.168.1.77", 3389, true],
    ["evil.example", "127.0.0.1", 3389, false],
  ])("%s (%s) port %i: %s", (host, address, port, allowed) => {
    expect(list.allows(host, address, port)).toBe(allowed);
  });

  it.each([
    ["db.lan:99999", /bad port/],
    ["db.lan:20-10", /bad port/],
    ["10.0.0.0/33", /prefix length/],
    ["[not-v6]:22", /^`allowTargets` has "\[not-v6\]", not a host name or IP address$/],
    ["host name:22", /is not HOST\[:PORT\]|not a host name/],
    ["", /empty/],
    ["db.lan/24", /prefix length needs an IP/],
  ])("refuses %j", (spec, message) => {
    expect(() => TargetAllowlist.parse(spec)).toThrow(message);
  });
});

describe("PortAllowlist", () => {
  it("allows listed ports and ranges only", () => {
    const list = PortAllowlist.parse("10000-10100,3389");
    expect([3389, 10000, 10050, 10100].map((p) => list.allows(p))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect([3388, 9999, 10101, 22].map((p) => list.allows(p))).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(String(list)).toBe("10000-10100,3389");
  });

  it.each(["0", "70000", "a-b", "5-1", ","])("refuses %j", (spec) => {
    expect(() => PortAllowlist.parse(spec)).toThrow(/`allowPorts`/);
  });
});
