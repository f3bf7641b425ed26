/**
 * Reads fwd status pages the way a monitoring system would while the bench
 * measures: GET /metrics and /status.json of each page once a second, each
 * request with a time limit, until stopped (and never more than `maxRounds`).
 * It counts what failed; the cost of serving it shows in the figures.
 */
import { get } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";

const PATHS = ["/metrics", "/status.json"] as const;
const REQUEST_TIMEOUT_MS = 2000;

/** One GET to a loopback page; resolves with the body, rejects on a non-200 or a timeout. */
function fetchText(port: number, path: string, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = get(
      { host: "127.0.0.1", port, path, agent: false, timeout: REQUEST_TIMEOUT_MS, signal },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (text: string) => {
          body += text;
        });
        response.on("end", () => {
          if (response.statusCode === 200) resolve(body);
          else reject(new Error(`${path}: HTTP ${response.statusCode}`));
        });
        response.on("error", reject);
      },
    );
    request.on("timeout", () => request.destroy(new Error(`${path}: no answer within 2 s`)));
    request.on("error", reject);
  });
}

async function scrapeOnce(port: number, signal: AbortSignal): Promise<void> {
  for (const path of PATHS) {
    const body = await fetchText(port, path, signal);
    if (path === "/status.json") JSON.parse(body);
    else if (!body.includes("# TYPE")) throw new Error("/metrics: not Prometheus text");
  }
}

export class StatusScraper {
  private readonly controller = new AbortController();
  private readonly loop: Promise<void>;
  rounds = 0;
  failures = 0;
  firstError: string | undefined;

  constructor(
    private readonly ports: readonly number[],
    intervalMs = 1000,
    maxRounds = 3600,
  ) {
    this.loop = this.run(intervalMs, maxRounds);
  }

  private async run(intervalMs: number, maxRounds: number): Promise<void> {
    const { signal } = this.controller;
    while (!signal.aborted && this.rounds < maxRounds) {
      this.rounds++;
      await Promise.all(
        this.ports.map((port) =>
          scrapeOnce(port, signal).catch((err: Error) => {
            if (signal.aborted) return;
            this.failures++;
            this.firstError ??= err.message;
          }),
        ),
      );
      await sleep(intervalMs, undefined, { signal }).catch(() => {});
    }
  }

  /** Stops the loop, and waits for the round in flight to end. */
  async stop(): Promise<void> {
    this.controller.abort();
    await this.loop;
  }

  summary(): string {
    const failed = this.failures
      ? `, ${this.failures} failed (first: ${this.firstError})`
      : ", none failed";
    return `status pages scraped ${this.rounds} times (/metrics and /status.json of ${this.ports.length} processes)${failed}`;
  }
}
