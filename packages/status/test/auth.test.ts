import { Teardown } from "@fwd/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { isLoopbackHost, startStatusServer, statusExposureWarning } from "../src/index.js";
import { FakeProvider, forwarderDoc, tunnel } from "./fake-provider.js";
import { get, openEvents } from "./http.js";

const teardown = new Teardown();
afterEach(() => teardown.run());

const PATHS = ["/", "/page.css", "/page.js", "/status.json", "/events", "/metrics", "/nowhere"];
const TOKEN = "s3cret token/with+chars";

async function startWithToken() {
  const provider = new FakeProvider(forwarderDoc([tunnel("web")]));
  const server = teardown.add(await startStatusServer({ port: 0, provider, token: TOKEN }));
  return { server, base: `http://127.0.0.1:${server.address().port}` };
}

describe("status token", () => {
  it("answers 401 on every path without the token or with a wrong one", async () => {
    const { base } = await startWithToken();
    const wrong = [
      {},
      { headers: { Authorization: "Bearer nope" } },
      { headers: { Authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}` } },
      { headers: { Authorization: `Bearer ${TOKEN}x` } },
    ];
    for (const path of PATHS) {
      for (const options of wrong) {
        const reply = await get(`${base}${path}`, options);
        expect(reply.status, `${path} ${JSON.stringify(options)}`).toBe(401);
        expect(reply.headers["www-authenticate"]).toBe('Bearer realm="fwd status"');
        expect(reply.body).toMatch(/^401 Unauthorized: .*token/);
        expect(reply.body).not.toContain("tcp-forwarding");
      }
      const badQuery = await get(`${base}${path}?token=${encodeURIComponent(TOKEN.slice(1))}`);
      expect(badQuery.status, path).toBe(401);
    }
  });

  it("lets the token in as a Bearer header or as ?token=", async () => {
    const { server, base } = await startWithToken();
    expect(server.url).toBe(`${base}/?token=${encodeURIComponent(TOKEN)}`);
    const query = `?token=${encodeURIComponent(TOKEN)}`;
    for (const path of PATHS.filter((p) => p !== "/events" && p !== "/nowhere")) {
      expect((await get(`${base}${path}${query}`)).status, path).toBe(200);
      const bearer = await get(`${base}${path}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(bearer.status, path).toBe(200);
    }
    const events = openEvents(`${base}/events${query}`);
    expect(await events.opened).toBe(200);
    expect(JSON.parse((await events.next())!).program).toBe("tcp-forwarding");
    events.close();
  });

  it("links the page's own files and data with the token", async () => {
    const { base } = await startWithToken();
    const page = await get(`${base}/?token=${encodeURIComponent(TOKEN)}`);
    const query = "?token=s3cret%20token%2Fwith%2Bchars";
    for (const link of ["page.css", "page.js", "favicon.svg", "status.json", "metrics"]) {
      expect(page.body, link).toContain(`"${link}${query}"`);
    }
    expect(page.body).not.toContain(TOKEN);
  });

  it("needs no Host check when a token protects the page", async () => {
    const { base } = await startWithToken();
    const reply = await get(`${base}/status.json`, {
      headers: { Host: "status.example", Authorization: `Bearer ${TOKEN}` },
    });
    expect(reply.status).toBe(200);
  });

  it("refuses to start beyond loopback without a token", async () => {
    const provider = new FakeProvider(forwarderDoc([]));
    for (const host of ["0.0.0.0", "::", "192.0.2.10", "example.com"]) {
      await expect(startStatusServer({ host, port: 0, provider }), host).rejects.toMatchObject({
        code: "ERR_FWD_INVALID_ARG",
        message: expect.stringMatching(/`status.token`/),
      });
      await expect(startStatusServer({ host, port: 0, provider, token: "" })).rejects.toThrow(
        /status\.token/,
      );
    }
    expect(provider.listeners.size).toBe(0);
  });

  it("refuses a port that is not one", async () => {
    const provider = new FakeProvider(forwarderDoc([]));
    for (const port of [-1, 65536, 1.5, Number.NaN]) {
      await expect(startStatusServer({ port, provider }), String(port)).rejects.toMatchObject({
        code: "ERR_FWD_INVALID_ARG",
      });
    }
  });

  it("starts on any loopback address without a token", async () => {
    const provider = new FakeProvider(forwarderDoc([]));
    for (const host of ["127.0.0.1", "127.0.0.2", "::1", "localhost"]) {
      const server = await startStatusServer({ host, port: 0, provider });
      try {
        const { port } = server.address();
        const literal = host === "::1" ? "[::1]" : host;
        expect((await get(`http://${literal}:${port}/status.json`)).status, host).toBe(200);
      } finally {
        await server.close();
      }
    }
  });
});

describe("exposure", () => {
  it("tells loopback from the network", () => {
    for (const host of [
      "127.0.0.1",
      "127.1.2.3",
      "::1",
      "[::1]",
      "localhost",
      "::ffff:127.0.0.1",
    ]) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ["0.0.0.0", "::", "10.0.0.1", "192.0.2.1", "example.com", "128.0.0.1"]) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });

  it("words the start-up warning for a bind beyond loopback", () => {
    expect(statusExposureWarning({ host: "0.0.0.0", port: 9000, token: "t" })).toBe(
      "status page on 0.0.0.0:9000 is reachable from the network; protected by --status_token",
    );
    expect(statusExposureWarning({ host: "::", port: 9000, token: "t" })).toBe(
      "status page on [::]:9000 is reachable from the network; protected by --status_token",
    );
    expect(statusExposureWarning({ host: "127.0.0.1", port: 9000 })).toBeUndefined();
  });
});
