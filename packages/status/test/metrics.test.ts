import { Teardown } from "@fwd/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { DURATION_BUCKETS, type StatusDocument, startStatusServer } from "../src/index.js";
import { FakeProvider, tunnel } from "./fake-provider.js";
import { get } from "./http.js";
import { parsePrometheusText } from "./prometheus-text.js";

const teardown = new Teardown();
afterEach(() => teardown.run());

function multiServerDoc(): StatusDocument {
  return {
    program: "multi-server",
    version: "2.0.0",
    pid: process.pid,
    startedAt: new Date().toISOString(),
    now: new Date().toISOString(),
    listener: { address: "0.0.0.0:7000", tls: true, token: true, handshaking: 0 },
    tunnels: [
      tunnel("10086", {
        kind: "public-port",
        publicPort: 10086,
        waitingRegistrations: 4,
        heldVisitors: 0,
        owner: "office-pc",
      }),
      tunnel("10087", { kind: "public-port", publicPort: 10087, waitingRegistrations: 0 }),
      tunnel("10088", { kind: "public-port", state: "draining", heartbeatRttMs: 12 }),
    ],
    clients: [],
    handshakeFailures: { ERR_FWD_AUTH_FAILED: 2 },
  };
}

async function scraper(provider: FakeProvider) {
  const server = teardown.add(await startStatusServer({ port: 0, provider }));
  const url = `http://127.0.0.1:${server.address().port}/metrics`;
  return async () => {
    const reply = await get(url);
    expect(reply.status).toBe(200);
    return parsePrometheusText(reply.body);
  };
}

describe("/metrics", () => {
  it("parses as Prometheus text with every fwd family typed", async () => {
    const scrape = await scraper(new FakeProvider(multiServerDoc()));
    const metrics = await scrape();
    expect(
      Object.fromEntries([...metrics.types].filter(([name]) => name.startsWith("fwd_"))),
    ).toEqual({
      fwd_build_info: "gauge",
      fwd_connections_active: "gauge",
      fwd_connections_total: "counter",
      fwd_bytes_total: "counter",
      fwd_connection_duration_seconds: "histogram",
      fwd_handshake_failures_total: "counter",
      fwd_tunnel_up: "gauge",
      fwd_registrations_waiting: "gauge",
      fwd_public_ports: "gauge",
      fwd_heartbeat_rtt_seconds: "gauge",
    });
    expect(metrics.types.get("process_cpu_user_seconds_total")).toBe("counter");
    expect(metrics.types.get("nodejs_eventloop_lag_seconds")).toBe("gauge");
    expect(metrics.value("fwd_build_info", { program: "multi-server", version: "2.0.0" })).toBe(1);
    expect(metrics.value("fwd_tunnel_up", { tunnel: "10086" })).toBe(1);
    expect(metrics.value("fwd_tunnel_up", { tunnel: "10088" })).toBe(0);
    expect(metrics.value("fwd_public_ports")).toBe(2);
    expect(metrics.value("fwd_registrations_waiting", { port: "10086" })).toBe(4);
    expect(metrics.value("fwd_registrations_waiting", { port: "10087" })).toBe(0);
    expect(metrics.value("fwd_registrations_waiting", { port: "10088" })).toBeUndefined();
    expect(metrics.value("fwd_heartbeat_rtt_seconds", { tunnel: "10088" })).toBe(0.012);
    expect(metrics.value("fwd_heartbeat_rtt_seconds", { tunnel: "10086" })).toBeUndefined();
    expect(metrics.value("fwd_handshake_failures_total", { code: "ERR_FWD_AUTH_FAILED" })).toBe(2);
    expect(metrics.value("fwd_bytes_total", { tunnel: "10087", direction: "in" })).toBe(0);
  });

  it("follows the provider's growing totals", async () => {
    const provider = new FakeProvider(multiServerDoc());
    const scrape = await scraper(provider);
    const port = provider.tunnel("10086");
    const bytesIn = { tunnel: "10086", direction: "in" };

    port.bytes = { in: 1000, out: 50 };
    port.connections = { active: 2, total: { done: 3 } };
    let metrics = await scrape();
    expect(metrics.value("fwd_bytes_total", bytesIn)).toBe(1000);
    expect(metrics.value("fwd_bytes_total", { tunnel: "10086", direction: "out" })).toBe(50);
    expect(metrics.value("fwd_connections_active", { tunnel: "10086" })).toBe(2);
    expect(metrics.value("fwd_connections_total", { tunnel: "10086", outcome: "done" })).toBe(3);

    port.bytes.in = 250_000;
    port.connections.total.failed = 1;
    provider.doc.handshakeFailures!.ERR_FWD_PROTOCOL = 5;
    metrics = await scrape();
    expect(metrics.value("fwd_bytes_total", bytesIn)).toBe(250_000);
    expect(metrics.value("fwd_connections_total", { tunnel: "10086", outcome: "failed" })).toBe(1);
    expect(metrics.value("fwd_handshake_failures_total", { code: "ERR_FWD_PROTOCOL" })).toBe(5);

    // The public port closed and reopened: its totals start over, the counter keeps growing.
    port.bytes.in = 300;
    metrics = await scrape();
    expect(metrics.value("fwd_bytes_total", bytesIn)).toBe(250_300);
  });

  it("counts each total once when scrapes overlap", async () => {
    const provider = new FakeProvider(multiServerDoc());
    const scrape = await scraper(provider);
    provider.tunnel("10086").bytes.in = 4096;
    const results = await Promise.all([scrape(), scrape(), scrape()]);
    for (const metrics of results) {
      expect(metrics.value("fwd_bytes_total", { tunnel: "10086", direction: "in" })).toBe(4096);
    }
  });

  it("observes each closed connection in the duration histogram", async () => {
    const provider = new FakeProvider(multiServerDoc());
    const scrape = await scraper(provider);
    const count = { tunnel: "10086" };
    let metrics = await scrape();
    expect(metrics.value("fwd_connection_duration_seconds_count", count)).toBeUndefined();

    provider.closeConnection("10086", "done", 0.3);
    provider.closeConnection("10086", "error", 7200);
    metrics = await scrape();
    expect(metrics.value("fwd_connection_duration_seconds_count", count)).toBe(2);
    expect(metrics.value("fwd_connection_duration_seconds_sum", count)).toBeCloseTo(7200.3);
    const bucket = (le: string) =>
      metrics.value("fwd_connection_duration_seconds_bucket", { tunnel: "10086", le });
    expect(bucket("0.1")).toBe(0);
    expect(bucket("0.5")).toBe(1);
    expect(bucket("3600")).toBe(1);
    expect(bucket("14400")).toBe(2);
    expect(bucket("+Inf")).toBe(2);
    expect(DURATION_BUCKETS[0]).toBeLessThan(1);
    expect(DURATION_BUCKETS.at(-1)).toBeGreaterThanOrEqual(3600);
  });

  it("drops the gauges of tunnels that are gone", async () => {
    const provider = new FakeProvider(multiServerDoc());
    const scrape = await scraper(provider);
    expect((await scrape()).value("fwd_tunnel_up", { tunnel: "10087" })).toBe(1);
    provider.doc.tunnels.splice(1, 1);
    const metrics = await scrape();
    expect(metrics.value("fwd_tunnel_up", { tunnel: "10087" })).toBeUndefined();
    expect(metrics.value("fwd_public_ports")).toBe(1);
  });

  it("escapes label values that come from the network", async () => {
    const name = 'client "a"\\b\nnew line';
    const provider = new FakeProvider({ ...multiServerDoc(), tunnels: [tunnel(name)] });
    const scrape = await scraper(provider);
    provider.tunnel(name).bytes.in = 7;
    const metrics = await scrape();
    expect(metrics.value("fwd_bytes_total", { tunnel: name, direction: "in" })).toBe(7);
  });
});
