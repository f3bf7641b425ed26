import { once } from "node:events";
import { createServer } from "node:net";
import { Teardown } from "@fwd/testkit";
import { afterEach, describe, expect, it } from "vitest";
import {
  type LiveStatusDocument,
  type StatusServerOptions,
  startStatusServer,
} from "../src/index.js";
import { CONTENT_SECURITY_POLICY } from "../src/security-headers.js";
import { FakeProvider, forwarderDoc, tunnel } from "./fake-provider.js";
import { get, openEvents } from "./http.js";

const teardown = new Teardown();
afterEach(() => teardown.run());

async function start(provider: FakeProvider, options: Partial<StatusServerOptions> = {}) {
  const server = teardown.add(await startStatusServer({ port: 0, provider, ...options }));
  const { port } = server.address();
  return { server, base: `http://127.0.0.1:${port}` };
}

describe("status server on loopback", () => {
  it("serves the page, its files, status.json, events and metrics without a token", async () => {
    const provider = new FakeProvider(forwarderDoc([tunnel("web")]));
    const { server, base } = await start(provider);
    expect(server.url).toBe(`${base}/`);

    const page = await get(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.body).toContain('<script src="page.js" defer></script>');
    expect(page.body).not.toMatch(/<script>|\son[a-z]+=/); // no inline script or handlers
    for (const [path, type] of [
      ["/page.css", "text/css"],
      ["/page.js", "text/javascript"],
    ] as const) {
      const reply = await get(`${base}${path}`);
      expect(reply.status, path).toBe(200);
      expect(reply.headers["content-type"]).toBe(`${type}; charset=utf-8`);
      expect(reply.body.length).toBeGreaterThan(100);
    }

    const json = await get(`${base}/status.json`);
    expect(json.status).toBe(200);
    expect(json.headers["content-type"]).toBe("application/json; charset=utf-8");
    const doc = JSON.parse(json.body) as LiveStatusDocument;
    expect(doc.program).toBe("tcp-forwarding");
    expect(doc.tunnels[0]).toMatchObject({
      name: "web",
      state: "up",
      rates: { inBps: 0, outBps: 0 },
      history: { intervalSeconds: 1, capacity: 300 },
    });
    expect(doc.uptimeSeconds).toBeGreaterThanOrEqual(3725);
    expect(doc.uptimeSeconds).toBeLessThan(3735);

    const metrics = await get(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(metrics.body).toContain('fwd_tunnel_up{tunnel="web"} 1');

    const events = openEvents(`${base}/events`);
    expect(await events.opened).toBe(200);
    const first = JSON.parse((await events.next())!) as LiveStatusDocument;
    expect(first.tunnels[0]!.name).toBe("web");
    events.close();
  });

  it("sends every response with the security headers", async () => {
    const { base } = await start(new FakeProvider(forwarderDoc([])));
    for (const path of ["/", "/page.js", "/status.json", "/metrics", "/nowhere"]) {
      const reply = await get(`${base}${path}`);
      expect(reply.headers["content-security-policy"], path).toBe(CONTENT_SECURITY_POLICY);
      expect(reply.headers["x-content-type-options"]).toBe("nosniff");
      expect(reply.headers["referrer-policy"]).toBe("no-referrer");
    }
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain("unsafe");
  });

  it("answers unknown paths with 404, other methods with 405, HEAD without a body", async () => {
    const { base } = await start(new FakeProvider(forwarderDoc([])));
    expect((await get(`${base}/nowhere`)).status).toBe(404);
    const post = await get(`${base}/status.json`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe("GET, HEAD");
    const head = await get(`${base}/status.json`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.body).toBe("");
  });

  it("refuses requests addressed to a name that is not loopback (DNS rebinding)", async () => {
    const { base } = await start(new FakeProvider(forwarderDoc([])));
    const rebound = await get(`${base}/status.json`, { headers: { Host: "attacker.example" } });
    expect(rebound.status).toBe(403);
    expect(rebound.body).not.toContain("tcp-forwarding");
    const named = await get(`${base}/status.json`, { headers: { Host: "localhost:1234" } });
    expect(named.status).toBe(200);
  });

  it("measures rates and keeps a history from its own snapshots", async () => {
    const provider = new FakeProvider(forwarderDoc([tunnel("bulk")]));
    const t0 = performance.now();
    provider.onSnapshot = (doc) => {
      const ms = performance.now() - t0;
      doc.tunnels[0]!.bytes = { in: Math.round(ms * 1000), out: Math.round(ms * 100) };
    };
    const { base } = await start(provider, { sampleIntervalMs: 50 });
    let doc: LiveStatusDocument;
    do {
      doc = JSON.parse((await get(`${base}/status.json`)).body) as LiveStatusDocument;
    } while (doc.tunnels[0]!.history.in.length < 5);
    const bulk = doc.tunnels[0]!;
    expect(bulk.history.intervalSeconds).toBe(0.05);
    // 1000 bytes per ms in, 100 out: rates use the real time between samples, so
    // timer jitter does not matter; the margin covers a pause within one tick.
    expect(bulk.rates.inBps).toBeGreaterThan(700_000);
    expect(bulk.rates.inBps).toBeLessThan(1_300_000);
    expect(bulk.rates.outBps).toBeGreaterThan(70_000);
    expect(bulk.rates.outBps).toBeLessThan(130_000);
    for (const point of bulk.history.in) expect(point).toBeGreaterThan(0);
  });

  it("sends one document per interval on /events, with moving totals", async () => {
    const provider = new FakeProvider(forwarderDoc([tunnel("web")]));
    provider.onSnapshot = (doc) => {
      doc.tunnels[0]!.bytes.in += 1000;
    };
    const { base } = await start(provider, { sampleIntervalMs: 50 });
    const events = openEvents(`${base}/events`);
    const totals: number[] = [];
    for (let i = 0; i < 4; i++) {
      const doc = JSON.parse((await events.next())!) as LiveStatusDocument;
      totals.push(doc.tunnels[0]!.bytes.in);
    }
    expect(totals).toEqual([...totals].sort((a, b) => a - b));
    expect(totals[3]!).toBeGreaterThan(totals[0]!);
    events.close();
  });

  it("caps the event streams it serves at once", async () => {
    const { base } = await start(new FakeProvider(forwarderDoc([])), { maxEventStreams: 1 });
    const first = openEvents(`${base}/events`);
    expect(await first.opened).toBe(200);
    await first.next();
    const second = await get(`${base}/events`);
    expect(second.status).toBe(503);
    first.close();
  });

  it("answers 500 when the provider fails, and keeps serving", async () => {
    const provider = new FakeProvider(forwarderDoc([tunnel("web")]));
    const { base } = await start(provider);
    provider.onSnapshot = () => {
      throw new Error("services are gone");
    };
    const failed = await get(`${base}/status.json`);
    expect(failed.status).toBe(500);
    expect(failed.body).toContain("services are gone");
    expect((await get(`${base}/metrics`)).status).toBe(500);
    provider.onSnapshot = undefined;
    expect((await get(`${base}/status.json`)).status).toBe(200);
  });
});

describe("status server lifecycle", () => {
  it("close() ends open event streams and idle connections and waits for them", async () => {
    const provider = new FakeProvider(forwarderDoc([]));
    const server = await startStatusServer({ port: 0, provider });
    const { port } = server.address();
    const events = openEvents(`http://127.0.0.1:${port}/events`);
    await events.next();
    await server.close();
    expect(await events.next()).toBeUndefined();
    expect(events.ended).toBe(true);
    expect(provider.listeners.size).toBe(0); // stopped listening for closed connections
    await expect(get(`http://127.0.0.1:${port}/`)).rejects.toThrow(/ECONNREFUSED/);
  });

  it("stops sampling once closed", async () => {
    const provider = new FakeProvider(forwarderDoc([]));
    const server = await startStatusServer({ port: 0, provider, sampleIntervalMs: 10 });
    await server.close();
    const after = provider.snapshots;
    await new Promise((resolve) => setTimeout(resolve, 50)); // several intervals: none may run
    expect(provider.snapshots).toBe(after);
  });

  it("closes when its signal aborts", async () => {
    const controller = new AbortController();
    const provider = new FakeProvider(forwarderDoc([]));
    const server = teardown.add(
      await startStatusServer({ port: 0, provider, signal: controller.signal }),
    );
    const events = openEvents(`http://127.0.0.1:${server.address().port}/events`);
    await events.next();
    controller.abort();
    expect(await events.next()).toBeUndefined();
    await server.close(); // the same close, already done or under way
  });

  it("reports a port in use as ERR_FWD_ADDR_IN_USE", async () => {
    const blocker = createServer();
    blocker.listen(0, "127.0.0.1");
    await once(blocker, "listening");
    teardown.add(() => new Promise((resolve) => blocker.close(resolve)));
    const { port } = blocker.address() as { port: number };
    const provider = new FakeProvider(forwarderDoc([]));
    await expect(startStatusServer({ port, provider })).rejects.toMatchObject({
      code: "ERR_FWD_ADDR_IN_USE",
    });
    expect(provider.listeners.size).toBe(0);
  });

  it("runs two servers in one process, each with its own metrics", async () => {
    const a = await start(new FakeProvider(forwarderDoc([tunnel("alpha")])));
    const b = await start(new FakeProvider(forwarderDoc([tunnel("beta")])));
    const metricsA = (await get(`${a.base}/metrics`)).body;
    const metricsB = (await get(`${b.base}/metrics`)).body;
    expect(metricsA).toContain('tunnel="alpha"');
    expect(metricsA).not.toContain('tunnel="beta"');
    expect(metricsB).toContain('tunnel="beta"');
    expect(metricsB).not.toContain('tunnel="alpha"');
    expect(metricsB).toContain("process_cpu_user_seconds_total");
  });
});
