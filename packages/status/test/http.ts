import { request as httpRequest, type IncomingHttpHeaders } from "node:http";

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * One request over a fresh connection (no keep-alive pool left behind),
 * with full control of the headers, Host included.
 */
export function get(
  url: string,
  { headers = {}, method = "GET" }: { headers?: Record<string, string>; method?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.once("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
      res.once("error", reject);
    });
    req.once("error", reject);
    req.end();
  });
}

/** Reads server-sent events from `url`: next() resolves with each event's data. */
export function openEvents(url: string, headers: Record<string, string> = {}) {
  const pending: string[] = [];
  const waiters: Array<(data: string | undefined) => void> = [];
  let ended = false;
  let status = 0;
  const push = (data: string | undefined) => {
    const waiter = waiters.shift();
    if (waiter) waiter(data);
    else if (data !== undefined) pending.push(data);
  };
  const req = httpRequest(url, { headers, agent: false });
  const opened = new Promise<number>((resolve, reject) => {
    req.once("error", reject);
    req.once("response", (res) => {
      status = res.statusCode ?? 0;
      resolve(status);
      let buffer = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf("\n\n"); end !== -1; end = buffer.indexOf("\n\n")) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split("\n")
            .filter((line) => line.startsWith("data: "))
            .map((line) => line.slice(6))
            .join("\n");
          if (data) push(data);
        }
      });
      res.once("close", () => {
        ended = true;
        while (waiters.length > 0) push(undefined);
      });
    });
  });
  req.end();
  return {
    opened,
    get status() {
      return status;
    },
    get ended() {
      return ended;
    },
    /** The next event's data, or undefined once the stream has ended. */
    next(): Promise<string | undefined> {
      const data = pending.shift();
      if (data !== undefined) return Promise.resolve(data);
      if (ended) return Promise.resolve(undefined);
      return new Promise((resolve) => waiters.push(resolve));
    },
    close() {
      req.destroy();
    },
  };
}
