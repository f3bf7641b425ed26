/**
 * The test bed itself: the NAT, the firewall and each fault do what the
 * fault tests rely on, so that their failures are the product's.
 */
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  ADDRESSES,
  type AgentClient,
  checkNetns,
  describeWithNetns,
  HomeNat,
  type Started,
  startAgent,
  startTarget,
  TARGET_PORT,
} from "../src/index.js";
import { addNamespace, execIn, listNamespaces, removeStaleNamespaces } from "../src/netns.js";

const ready = await checkNetns();

describeWithNetns(ready, "home NAT topology", () => {
  let nat: HomeNat;
  let server: Started; // an echo service on pub, straight from the LAN through the NAT
  let home: AgentClient;
  let visitor: AgentClient;
  const echo = { host: ADDRESSES.pub, port: TARGET_PORT };
  /** Silence is the expected answer when the network drops packets: this long is enough on a veth. */
  const silentMs = 1000;

  beforeAll(async () => {
    nat = await HomeNat.build();
    server = await startTarget(nat, "pub", ADDRESSES.pub);
    home = await startAgent(nat, "lan");
    visitor = await startAgent(nat, "vis");
  });
  afterAll(() => nat?.destroy());

  it("names its namespaces after this process, so that parallel runs never collide", () => {
    expect(nat.ns("lan")).toMatch(new RegExp(`^fwdf-${process.pid}-[0-9a-f]+-lan$`));
  });

  it("masquerades the LAN behind the router's WAN address", async () => {
    const mark = server.process.mark();
    const result = await home.call("visit", { ...echo, attemptTimeoutMs: 5000 });
    expect(result.outcome).toBe("served");
    const seen = await server.process.waitFor(/^target: connection from ([\d.]+):/m, {
      after: mark,
    });
    expect(seen.match[1]).toBe(ADDRESSES.routerWan);
    expect(await nat.natFlows()).toBeGreaterThan(0);
  });

  it("lets nothing new in from the WAN", async () => {
    // Even with a route to the LAN (which no ISP would give), the router drops the SYN.
    const lanTarget = await startTarget(nat, "lan", ADDRESSES.lan);
    await execIn(nat.ns("vis"), "ip", [
      "route",
      "add",
      "192.168.77.0/24",
      "via",
      ADDRESSES.routerWan,
    ]);
    try {
      const result = await visitor.call("visit", {
        host: ADDRESSES.lan,
        port: TARGET_PORT,
        attemptTimeoutMs: silentMs,
      });
      expect(result.outcome).toBe("timeout");
      expect(result.last.connectedAt).toBeUndefined();
    } finally {
      await execIn(nat.ns("vis"), "ip", ["route", "del", "192.168.77.0/24"]);
      await lanTarget.process.stop("SIGKILL");
    }
  });

  it("forgetNat(): a known flow goes dead both ways, a new one works", async () => {
    const { session } = await home.call("open", { ...echo, timeoutMs: 5000 });
    expect((await home.call("echo", { session, bytes: 1000, timeoutMs: 5000 })).outcome).toBe(
      "served",
    );
    expect(await nat.forgetNat()).toBeGreaterThan(0);
    const after = await home.call("echo", { session, bytes: 1000, timeoutMs: silentMs });
    expect(after.outcome).toBe("timeout");
    expect(after.received).toBe(0);
    await home.call("close", { session });
    expect((await home.call("visit", { ...echo, attemptTimeoutMs: 5000 })).outcome).toBe("served");
  });

  it("forgetNat(): a stream from the WAN is dropped at the router, and the LAN's acks too", async () => {
    const before = await nat.invalidDrops();
    let forgot: Promise<number> | undefined;
    const result = await home.call(
      "download",
      { ...echo, progressBytes: 256 * 1024, timeoutMs: 2000 },
      () => {
        forgot = nat.forgetNat();
      },
    );
    await forgot;
    expect(result.outcome).toBe("timeout"); // the stream stalled, and nothing said why
    const after = await nat.invalidDrops();
    expect(after.toRouter).toBeGreaterThan(before.toRouter);
    expect(after.forwarded).toBeGreaterThan(before.forwarded);
  });

  it("blackout(): nothing crosses the router until it ends; then known flows resume", async () => {
    const { session } = await home.call("open", { ...echo, timeoutMs: 5000 });
    await nat.blackout(true);
    try {
      const fresh = await home.call("visit", { ...echo, attemptTimeoutMs: silentMs });
      expect(fresh.outcome).toBe("timeout");
      expect(fresh.last.connectedAt).toBeUndefined();
      const stalled = home.call("echo", { session, bytes: 1000, timeoutMs: 30_000 });
      await nat.blackout(false);
      // TCP retransmits into the restored path; the flow was never forgotten.
      expect((await stalled).outcome).toBe("served");
    } finally {
      await nat.blackout(false);
    }
    await home.call("close", { session });
    expect((await home.call("visit", { ...echo, attemptTimeoutMs: 5000 })).outcome).toBe("served");
  });

  it("rebootRouter(): known flows are dead afterwards, new ones work", async () => {
    const { session } = await home.call("open", { ...echo, timeoutMs: 5000 });
    await nat.rebootRouter(200);
    expect(await nat.natFlows()).toBe(0);
    const after = await home.call("echo", { session, bytes: 1000, timeoutMs: silentMs });
    expect(after.outcome).toBe("timeout");
    await home.call("close", { session });
    const fresh = await home.call("visit", { ...echo, attemptTimeoutMs: 5000 });
    expect(fresh.outcome).toBe("served");
  });

  it("removes the namespaces of a run whose process is gone, and only those", async () => {
    const gone = spawnSync(process.execPath, ["-e", ""]).pid; // a pid that just exited
    const stale = `fwdf-${gone}-0000-lan`;
    await addNamespace(stale);
    expect(await removeStaleNamespaces()).toContain(stale);
    const left = await listNamespaces();
    expect(left).not.toContain(stale);
    expect(left).toContain(nat.ns("lan")); // this live run's are kept
  });

  it("destroy() kills what runs in the namespaces and removes them all", async () => {
    const other = await HomeNat.build();
    const agent = await startAgent(other, "vis");
    await other.destroy();
    expect(agent.process.running()).toBe(false);
    const left = await listNamespaces();
    expect(left.filter((name) => name.startsWith(other.prefix))).toEqual([]);
  });

  it("the visitor reaches the public server directly, not through the NAT", async () => {
    const result = await visitor.call("visit", { ...echo, attemptTimeoutMs: 5000 });
    expect(result.outcome).toBe("served");
  });
});
