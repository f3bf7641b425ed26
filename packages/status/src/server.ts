import { addAbortListener, once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ErrorCodes, FwdError, fromSystemError } from "@fwd/core";
import createDebug from "debug";
import { formatHostPort, hostHeaderIsLoopback, isLoopbackHost, TokenCheck } from "./access.js";
import { readAsset } from "./assets.js";
import { ConnectionTracker } from "./connection-tracker.js";
import type { StatusProvider } from "./document.js";
import { EventStream } from "./event-stream.js";
import { liveDocument } from "./live-document.js";
import { createStatusMetrics } from "./metrics.js";
import { RateSampler } from "./rate-sampler.js";
import { securityHeaders } from "./security-headers.js";

const debug = createDebug("fwd:status:server");

export interface StatusServerOptions {
  /** Where to listen (default 127.0.0.1). Anything but loopback needs `token`. */
  host?: string;
  /** 0 picks a free port: read it back with address(). */
  port: number;
  /** Required by every request as `Authorization: Bearer <token>` or `?token=`. */
  token?: string;
  provider: StatusProvider;
  /** Aborting closes the server, as close() does. */
  signal?: AbortSignal;
  /** Milliseconds between the snapshots behind rates, history and /events (default 1000). */
  sampleIntervalMs?: number;
  /** Event streams (/events) served at once (default 32). */
  maxEventStreams?: number;
}

export interface StatusServer {
  /** The address the server listens on. */
  address(): { host: string; port: number };
  /** The page's URL for a browser, with `?token=` when a token is set. */
  readonly url: string;
  /** Stops the sampler, ends every connection (event streams too), resolves once all are closed. */
  close(): Promise<void>;
}

/** Sockets still busy this long after close() are destroyed. */
const CLOSE_GRACE_MS = 2000;

const PAGE_FILES: Record<string, { asset: string; type: string }> = {
  "/": { asset: "page.html", type: "text/html; charset=utf-8" },
  "/page.css": { asset: "page.css", type: "text/css; charset=utf-8" },
  "/page.js": { asset: "page.js", type: "text/javascript; charset=utf-8" },
  "/favicon.svg": { asset: "favicon.svg", type: "image/svg+xml" },
};

/**
 * The page's own files and links need the token too: the page names them
 * with `?token=` (URI-encoded, so safe inside an attribute). Its script
 * adds the token to its fetches from the page's URL.
 */
function linkWithToken(html: string, token: string | undefined): string {
  if (token === undefined) return html;
  const query = `?token=${encodeURIComponent(token)}`;
  return html.replace(
    /\b(href|src)="(page\.css|page\.js|favicon\.svg|status\.json|metrics)"/g,
    `$1="$2${query}"`,
  );
}

/**
 * Serves the live status page (/), /status.json, /events and /metrics for
 * a running fwd program over plain node:http. Resolves once listening.
 */
export async function startStatusServer(options: StatusServerOptions): Promise<StatusServer> {
  const { host = "127.0.0.1", port, provider, signal } = options;
  const token = options.token || undefined;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new FwdError(
      ErrorCodes.INVALID_ARG,
      `\`status.port\` is ${port}, not a port: use 0 to 65535 (0 picks a free one)`,
      { option: "status.port", value: port },
    );
  }
  if (!isLoopbackHost(host) && token === undefined) {
    throw new FwdError(
      ErrorCodes.INVALID_ARG,
      `the status page on ${formatHostPort(host, port)} would be reachable from the network: set \`status.token\`, or bind it to 127.0.0.1`,
      { option: "status.token" },
    );
  }
  if (signal?.aborted) throw new FwdError(ErrorCodes.ABORTED, "status server start aborted");

  const intervalMs = options.sampleIntervalMs ?? 1000;
  const files = Object.fromEntries(
    Object.entries(PAGE_FILES).map(([path, file]) => {
      const body = readAsset(file.asset);
      return [path, { ...file, body: path === "/" ? linkWithToken(body, token) : body }];
    }),
  );
  const tokenCheck = token === undefined ? undefined : new TokenCheck(token);
  const sampler = new RateSampler({ intervalSeconds: intervalMs / 1000 });
  const events = new EventStream(options.maxEventStreams ?? 32);
  const metrics = createStatusMetrics(provider);
  const live = () => liveDocument(provider.snapshot(), sampler);

  const tick = () => {
    try {
      const doc = provider.snapshot();
      sampler.sample(doc.tunnels, performance.now());
      if (events.size > 0) events.broadcast(JSON.stringify(liveDocument(doc, sampler)));
    } catch (err) {
      debug("snapshot failed: %O", err);
    }
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    for (const [name, value] of Object.entries(securityHeaders)) response.setHeader(name, value);
    const url = new URL(request.url ?? "/", "http://status.invalid");
    if (tokenCheck ? !tokenCheck.allows(request, url) : !hostHeaderIsLoopback(request)) {
      if (tokenCheck) response.setHeader("WWW-Authenticate", 'Bearer realm="fwd status"');
      return text(
        response,
        tokenCheck ? 401 : 403,
        tokenCheck
          ? "401 Unauthorized: open the page with ?token=<the --status_token value>, or send Authorization: Bearer <token>"
          : "403 Forbidden: this status page answers only requests addressed to localhost",
      );
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.setHeader("Allow", "GET, HEAD");
      return text(response, 405, "405 Method Not Allowed: use GET");
    }
    const file = files[url.pathname];
    if (file) return send(response, 200, file.type, file.body);
    switch (url.pathname) {
      case "/status.json":
        return send(response, 200, "application/json; charset=utf-8", JSON.stringify(live()));
      case "/metrics":
        return send(response, 200, metrics.contentType, await metrics.render());
      case "/events":
        return startEvents(response);
      default:
        return text(response, 404, "404 Not Found: try /, /status.json, /events or /metrics");
    }
  };

  const startEvents = (response: ServerResponse) => {
    if (closing) return text(response, 503, "503: the status server is closing");
    if (events.full) return text(response, 503, "503: too many open status pages; close one");
    const first = JSON.stringify(live());
    response.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      Connection: "close", // the socket ends with the stream
      "X-Accel-Buffering": "no",
    });
    if (response.req.method === "HEAD") return response.end();
    events.add(response, first);
  };

  const server = createServer({ keepAliveTimeout: 5000 }, (request, response) => {
    tracker.request(request, response);
    handle(request, response).catch((err: unknown) => {
      debug("%s %s failed: %O", request.method, request.url, err);
      if (!response.headersSent) text(response, 500, `500: status unavailable: ${String(err)}`);
      else response.destroy();
    });
  });
  const tracker = new ConnectionTracker(server);
  server.on("clientError", (_err, socket) => socket.destroy());

  try {
    server.listen(port, host);
    await once(server, "listening");
  } catch (err) {
    metrics.close();
    throw fromSystemError(err, "listen", formatHostPort(host, port));
  }
  const bound = server.address() as AddressInfo;
  debug("listening on %s", formatHostPort(bound.address, bound.port));

  tick(); // the baseline the first rates are measured from
  const timer = setInterval(tick, intervalMs);
  timer.unref();

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      removeAbortListener?.();
      clearInterval(timer);
      metrics.close();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      events.endAll();
      await Promise.all([stopped, tracker.close(CLOSE_GRACE_MS)]);
      debug("closed");
    })();
    return closing;
  };
  const disposable = signal ? addAbortListener(signal, () => void close()) : undefined;
  const removeAbortListener = disposable ? () => disposable[Symbol.dispose]() : undefined;

  return {
    address: () => ({ host: bound.address, port: bound.port }),
    url: browserUrl(host, bound.port, token),
    close,
  };
}

/** Where a browser on this machine finds the page: a wildcard bind is reached on loopback. */
function browserUrl(host: string, port: number, token: string | undefined): string {
  const reachable = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  const query = token === undefined ? "" : `?token=${encodeURIComponent(token)}`;
  return `http://${formatHostPort(reachable, port)}/${query}`;
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, {
    "Content-Type": type,
    "Content-Length": Buffer.byteLength(body),
  });
  response.end(body);
}

function text(response: ServerResponse, status: number, message: string): void {
  send(response, status, "text/plain; charset=utf-8", `${message}\n`);
}
