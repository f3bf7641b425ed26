/**
 * Makes docs/status-page.png: the status page of a made-up multi-server
 * with several public ports and clients, one port with an error, and
 * sparklines full of data. Run by hand (not in CI):
 *
 *   pnpm --filter @fwd/status screenshot [output.png] [--dark] [--width=400]
 *
 * Samples every 20 ms instead of every second so the sparklines fill in
 * six seconds; bytes grow with real time, so the rates shown are true to
 * the made-up traffic. No traffic leaves the process: the document is fake.
 */
import { fileURLToPath } from "node:url";
import type { StatusDocument, StatusProvider, TunnelStatus } from "../src/index.js";
import { startStatusServer } from "../src/index.js";
import { launchBrowser } from "../test/browser.js";

const SAMPLE_MS = 20;
const args = process.argv.slice(2);
const dark = args.includes("--dark");
const width = Number(args.find((arg) => arg.startsWith("--width="))?.slice(8) ?? 1360);
const output =
  args.find((arg) => !arg.startsWith("--")) ??
  fileURLToPath(new URL("../../../docs/status-page.png", import.meta.url));

const started = Date.now();
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
/** Simulated seconds: the sampler's 20 ms ticks stand for seconds of history. */
const simSeconds = () => (Date.now() - started) / SAMPLE_MS;

/** Bytes per second of each port over simulated time: in (visitor → target), out (back). */
const traffic: Record<string, (s: number) => [number, number]> = {
  "3389": (s) => {
    const busy = 180_000 + 120_000 * Math.sin(s / 9) + 60_000 * Math.sin(s / 2.3);
    return [Math.max(8_000, busy / 6), Math.max(20_000, busy * 4)];
  },
  "8080": (s) => {
    const spike = (s % 37 < 4 ? 2_500_000 : 0) + (s % 53 < 2 ? 1_200_000 : 0);
    return [30_000 + spike / 40, 90_000 + spike];
  },
  "2222": (s) => [1_500 + 900 * Math.sin(s / 5), 4_000 + 2_500 * Math.abs(Math.sin(s / 7))],
  "8443": (s) => (s > 260 ? [9_500_000 + 900_000 * Math.sin(s / 3), 120_000] : [2_000, 3_000]),
  "10086": () => [0, 0],
};

const ports: TunnelStatus[] = [
  port("3389", "office-pc", "198.51.100.23:51844", "up", {
    detail: "open: public port 3389 reaches office-pc's localhost:3389 (remote desktop)",
    waitingRegistrations: 4,
    heldVisitors: 0,
    connections: { active: 2, total: { done: 41, closed: 3, error: 1 } },
    active: [
      connection(812, "203.0.113.77:61022", 5_400_000, 48_000_000),
      connection(797, "203.0.113.5:50123", 47 * 60_000, 310_000_000),
    ],
  }),
  port("8443", "nas", "198.51.100.40:40112", "up", {
    detail: "open: public port 8443 reaches nas's localhost:443 (backup target)",
    waitingRegistrations: 4,
    heldVisitors: 0,
    connections: { active: 1, total: { done: 6 } },
    active: [connection(640, "203.0.113.200:44310", 3 * 60_000, 1_900_000_000)],
  }),
  port("8080", "nas", "198.51.100.40:40112", "up", {
    detail: "open: public port 8080 reaches nas's localhost:80 (photo gallery)",
    waitingRegistrations: 3,
    heldVisitors: 0,
    connections: { active: 0, total: { done: 1_208, closed: 17, idle: 4, failed: 2 } },
  }),
  port("2222", "build-box", "198.51.100.61:36001", "up", {
    detail: "open: public port 2222 reaches build-box's localhost:22",
    waitingRegistrations: 4,
    heldVisitors: 0,
    connections: { active: 1, total: { done: 88 } },
    active: [connection(901, "203.0.113.9:58830", 26 * 60_000, 2_300_000)],
  }),
  port("10086", "lab-pi", "198.51.100.77:33442", "up", {
    detail: "open: public port 10086 waits for lab-pi, which has no registration waiting",
    waitingRegistrations: 0,
    heldVisitors: 2,
    connections: { active: 0, total: { failed: 9, done: 12 } },
    lastError: {
      code: "ERR_FWD_TIMEOUT",
      message: "public port 10086: no registration from lab-pi within 10 s",
      at: iso(95_000),
    },
  }),
  port("5900", "old-laptop", "198.51.100.12:50990", "draining", {
    detail: "closing: old-laptop went away; 0 connections left to finish",
    connections: { active: 0, total: { done: 3, aborted: 1 } },
  }),
];

const totals = new Map(ports.map((p) => [p.name, { in: 0, out: 0 }]));
let lastTick = Date.now();

const provider: StatusProvider = {
  snapshot(): StatusDocument {
    const now = Date.now();
    const dt = (now - lastTick) / 1000;
    lastTick = now;
    for (const p of ports) {
      const [rateIn, rateOut] = traffic[p.name]?.(simSeconds()) ?? [0, 0];
      const total = totals.get(p.name)!;
      total.in += rateIn * dt;
      total.out += rateOut * dt;
    }
    return {
      program: "multi-server",
      version: "1.0.0",
      pid: 48213,
      startedAt: iso(3 * 86_400_000 + 4 * 3_600_000),
      now: new Date(now).toISOString(),
      listener: { address: "0.0.0.0:7000", tls: true, token: true, handshaking: 1 },
      tunnels: ports.map((p) => {
        const base = BASE_BYTES[p.name] ?? { in: 0, out: 0 };
        const grown = totals.get(p.name)!;
        return {
          ...p,
          bytes: { in: Math.round(base.in + grown.in), out: Math.round(base.out + grown.out) },
        };
      }),
      clients: [
        client("office-pc", "198.51.100.23:51844", ["3389"], 4, 26 * 3_600_000),
        client("nas", "198.51.100.40:40112", ["8080", "8443"], 7, 3 * 86_400_000),
        client("build-box", "198.51.100.61:36001", ["2222"], 4, 5 * 3_600_000),
        client("lab-pi", "198.51.100.77:33442", ["10086"], 0, 14 * 60_000),
      ],
      handshakeFailures: { ERR_FWD_AUTH_FAILED: 3, ERR_FWD_PROTOCOL: 12, ERR_FWD_TIMEOUT: 5 },
    };
  },
  onConnectionClosed: () => () => {},
};

/** Totals from before the screenshot's few seconds: days of traffic. */
const BASE_BYTES: Record<string, { in: number; out: number }> = {
  "3389": { in: 1_830_000_000, out: 21_400_000_000 },
  "8443": { in: 96_000_000_000, out: 1_100_000_000 },
  "8080": { in: 410_000_000, out: 7_900_000_000 },
  "2222": { in: 38_000_000, out: 212_000_000 },
  "10086": { in: 1_200_000, out: 8_400_000 },
  "5900": { in: 52_000_000, out: 880_000_000 },
};

function port(
  name: string,
  owner: string,
  peer: string,
  state: TunnelStatus["state"],
  rest: Partial<TunnelStatus>,
): TunnelStatus {
  return {
    name,
    kind: "public-port",
    state,
    stateSince: iso(2 * 3_600_000),
    detail: "",
    listen: `0.0.0.0:${name}`,
    owner,
    peer,
    publicPort: Number(name),
    protocol: "v2",
    connections: { active: 0, total: {} },
    bytes: { in: 0, out: 0 },
    active: [],
    ...rest,
  };
}

function connection(id: number, remote: string, msAgo: number, bytesOut: number) {
  return {
    id,
    remote,
    startedAt: iso(msAgo),
    bytes: { in: Math.round(bytesOut / 11), out: bytesOut },
  };
}

function client(id: string, address: string, ports: string[], waiting: number, msAgo: number) {
  return { id, address, ports, waitingRegistrations: waiting, connectedSince: iso(msAgo) };
}

const server = await startStatusServer({ port: 0, provider, sampleIntervalMs: SAMPLE_MS });
const browser = await launchBrowser();
try {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width, height: 900 });
  await page.emulateMedia({ colorScheme: dark ? "dark" : "light" });
  // A full history: 300 samples, plus a margin for slow ticks.
  await new Promise((resolve) => setTimeout(resolve, 300 * SAMPLE_MS + 1500));
  await page.goto(server.url);
  await page.locator("article.tunnel").first().waitFor();
  await page.locator("article.tunnel summary").first().click();
  await page.waitForTimeout(1200); // one more update with the list open
  await page.screenshot({ path: output, fullPage: true });
  console.log(`wrote ${output}`);
} finally {
  await browser.close();
  await server.close();
}
