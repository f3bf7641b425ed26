import type { Socket } from "node:net";
import { forward } from "@fwd/core";
import { connectTo, startServer, Teardown } from "@fwd/testkit";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type StatusProvider, startStatusServer } from "../src/index.js";
import { type Browser, chromiumMissing, launchBrowser } from "./browser.js";
import { FakeProvider, forwarderDoc, tunnel } from "./fake-provider.js";
import { forwarderProvider } from "./forwarder-provider.js";

const missing = chromiumMissing();
if (missing && !process.env.CI) console.warn(`status page browser tests skipped: ${missing}`);

// Declared only where it fails: a test that is not needed is not listed (as skipped) either.
if (missing && process.env.CI) {
  describe("status page in a browser on CI", () => {
    it("needs chromium", () => {
      throw new Error(`${missing}: .ci/run must install chromium (bash .ci/chromium does)`);
    });
  });
}

describe.skipIf(!!missing)("status page in a browser", { timeout: 30_000 }, () => {
  let browser: Browser;
  const teardown = new Teardown();
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(() => browser?.close());
  afterEach(() => teardown.run());

  /** Opens a page that fails the test on any script error or CSP violation. */
  async function open(url: string): Promise<{ page: Page; problems: string[] }> {
    const page = teardown.add(await browser.context.newPage());
    const problems: string[] = [];
    page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console: ${message.text()}`);
    });
    await page.goto(url);
    return { page, problems };
  }

  async function serve(provider: StatusProvider, token?: string) {
    return teardown.add(await startStatusServer({ port: 0, provider, token }));
  }

  const card = (page: Page, name: string) =>
    page.locator("article.tunnel").filter({ has: page.getByRole("heading", { name }) });

  it("shows a real forward relaying a slow transfer, its bytes growing on screen", async () => {
    const sink = teardown.add(await startServer((socket) => socket.resume()));
    const forwarder = teardown.add(
      await forward({
        bind: { host: "127.0.0.1", port: 0 },
        target: { host: "127.0.0.1", port: sink.port },
      }),
    );
    const server = await serve(
      forwarderProvider("to-sink", forwarder, { host: "127.0.0.1", port: sink.port }),
    );
    const client = await connectTo(forwarder.address().port);
    teardown.add(() => client.destroy());
    const transfer = slowTransfer(client);
    teardown.add(transfer);

    const { page, problems } = await open(server.url);
    const tunnelCard = card(page, "to-sink");
    await expect.poll(() => tunnelCard.locator(".badge").textContent()).toBe("up");
    await expect
      .poll(() => tunnelCard.getByText("Open now").locator("..").locator("dd").textContent())
      .toBe("1");

    const shownIn = () => tunnelCard.locator("dt", { hasText: "In (to target)" }).locator("+ dd");
    await expect.poll(async () => parseBytes(await shownIn().textContent())).toBeGreaterThan(0);
    const first = parseBytes(await shownIn().textContent());
    await expect
      .poll(async () => parseBytes(await shownIn().textContent()), { timeout: 10_000 })
      .toBeGreaterThan(first);
    await expect.poll(() => tunnelCard.locator(".rate-in").textContent()).not.toBe("in 0 B/s");

    // The list of open connections names our client's address.
    await tunnelCard.locator("summary").click();
    await expect
      .poll(() => tunnelCard.locator("details tbody").textContent())
      .toContain(`127.0.0.1:${client.localPort}`);
    expect(await page.locator("#connection").textContent()).toBe("live");
    expect(problems).toEqual([]);
  });

  it("works through ?token= when the server has a token", async () => {
    const provider = new FakeProvider(forwarderDoc([tunnel("guarded", { state: "connecting" })]));
    const server = await serve(provider, "page-token");
    expect(server.url).toContain("?token=page-token");

    const { page, problems } = await open(server.url);
    await expect
      .poll(() => card(page, "guarded").locator(".badge").textContent())
      .toBe("connecting");
    await expect.poll(() => page.locator("#connection").textContent()).toBe("live");
    expect(await page.locator("#json-link").getAttribute("href")).toBe(
      "status.json?token=page-token",
    );
    expect(problems).toEqual([]);

    const without = await open(server.url.replace(/\?.*$/, ""));
    expect(await without.page.locator("body").textContent()).toMatch(/^401 Unauthorized/);
  });

  it("shows a multi-server: ports, clients, errors, and network text as text", async () => {
    const hostile = '<img src=x onerror="window.pwned=1">';
    const doc = forwarderDoc([
      tunnel("10086", {
        kind: "public-port",
        owner: hostile,
        waitingRegistrations: 3,
        lastError: {
          code: "ERR_FWD_TIMEOUT",
          message: "<b>no registration</b> within 10 s",
          at: new Date(Date.now() - 120_000).toISOString(),
        },
      }),
      tunnel("10087", { kind: "public-port", state: "refused" }),
    ]);
    doc.program = "multi-server";
    doc.listener = { address: "0.0.0.0:7000", tls: true, token: true, handshaking: 1 };
    doc.clients = [
      {
        id: hostile,
        address: "127.0.0.5:50000",
        ports: ["10086"],
        waitingRegistrations: 3,
        connectedSince: new Date(Date.now() - 4000_000).toISOString(),
      },
    ];
    doc.handshakeFailures = { ERR_FWD_AUTH_FAILED: 7 };
    const server = await serve(new FakeProvider(doc));

    const { page, problems } = await open(server.url);
    await expect.poll(() => page.locator("#clients tbody").textContent()).toContain(hostile);
    expect(await page.locator("#link").textContent()).toContain("0.0.0.0:7000");
    expect(await card(page, "10087").locator(".badge").textContent()).toBe("refused");
    const error = card(page, "10086").locator(".error");
    expect(await error.textContent()).toBe(
      "ERR_FWD_TIMEOUT <b>no registration</b> within 10 s · 2 min ago",
    );
    expect(await page.locator("#failures tbody").textContent()).toContain("ERR_FWD_AUTH_FAILED7");
    expect(await page.locator("img, b").count()).toBe(0);
    expect(await page.evaluate("window.pwned")).toBeUndefined();
    expect(problems).toEqual([]);
  });

  it("falls back to polling status.json when event streams fail", async () => {
    const provider = new FakeProvider(forwarderDoc([tunnel("polled")]));
    const server = await serve(provider);
    const page = teardown.add(await browser.context.newPage());
    await page.route("**/events*", (route) => route.abort());
    await page.goto(server.url);
    await expect.poll(() => page.locator("#connection").textContent()).toBe("live (polling)");
    const before = provider.snapshots;
    await expect.poll(() => provider.snapshots, { timeout: 5000 }).toBeGreaterThan(before + 1);
    expect(await card(page, "polled").locator(".badge").textContent()).toBe("up");
  });

  it("says so when updates stop, and keeps the last state on screen", async () => {
    const server = await startStatusServer({
      port: 0,
      provider: new FakeProvider(forwarderDoc([tunnel("last-known")])),
    });
    teardown.add(server);
    const page = teardown.add(await browser.context.newPage());
    await page.goto(server.url);
    await expect.poll(() => page.locator("#connection").textContent()).toBe("live");
    await server.close();
    await expect
      .poll(() => page.locator("#connection").textContent(), { timeout: 8000 })
      .toMatch(/^no update for \d+ s; showing the last known state$/);
    expect(await page.locator("main").getAttribute("class")).toBe("stale");
    expect(await card(page, "last-known").locator(".badge").textContent()).toBe("up");
  });

  it("fits a 400 px wide screen and follows the dark colour scheme", async () => {
    const many = Array.from({ length: 5 }, (_, i) =>
      tunnel(`a-rather-long-tunnel-name-number-${i}-that-must-wrap`, {
        target: "a-very-long-host-name.internal.example:65535",
      }),
    );
    const server = await serve(new FakeProvider(forwarderDoc(many)));
    const page = teardown.add(await browser.context.newPage());
    await page.setViewportSize({ width: 400, height: 800 });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.goto(server.url);
    await expect.poll(() => page.locator("article.tunnel").count()).toBe(5);
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(400);
    const background = await page.evaluate("getComputedStyle(document.body).backgroundColor");
    expect(background).toBe("rgb(14, 17, 22)");
  });
});

/** Writes 16 KiB every 50 ms (at most 20 s): a transfer the page can watch grow. */
function slowTransfer(socket: Socket): () => Promise<void> {
  let stopped = false;
  const chunk = Buffer.alloc(16 * 1024, 0x61);
  const done = (async () => {
    for (let i = 0; i < 400 && !stopped && !socket.destroyed; i++) {
      socket.write(chunk);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return async () => {
    stopped = true;
    await done;
  };
}

/** "1.23 MB" → 1230000. */
function parseBytes(text: string | null): number {
  const match = /^([\d.]+) (B|kB|MB|GB|TB)$/.exec(text ?? "");
  if (!match) throw new Error(`not a byte count: ${text}`);
  const scale = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 }[match[2] as "B"];
  return Number(match[1]) * scale;
}
