import type { ServerResponse } from "node:http";

interface Subscriber {
  response: ServerResponse;
  /** The socket's buffer is full: skip events until it drains rather than queue them. */
  blocked: boolean;
}

/**
 * The open server-sent event streams: each gets the same serialized
 * document once per interval. A slow reader misses documents instead of
 * making the server buffer them.
 */
export class EventStream {
  private readonly subscribers = new Set<Subscriber>();

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.subscribers.size;
  }

  get full(): boolean {
    return this.subscribers.size >= this.limit;
  }

  /** Starts a stream on `response` (headers already set) and sends `first` on it. */
  add(response: ServerResponse, first: string): void {
    const subscriber: Subscriber = { response, blocked: false };
    this.subscribers.add(subscriber);
    response.once("close", () => this.subscribers.delete(subscriber));
    response.on("drain", () => {
      subscriber.blocked = false;
    });
    // A client reconnects after 2 s if the stream breaks.
    this.write(subscriber, `retry: 2000\n\n${event(first)}`);
  }

  /** Sends one JSON document to every stream. */
  broadcast(json: string): void {
    const message = event(json);
    for (const subscriber of this.subscribers) {
      if (!subscriber.blocked) this.write(subscriber, message);
    }
  }

  /** Ends every stream (the server is closing). */
  endAll(): void {
    for (const { response } of this.subscribers) response.end();
    this.subscribers.clear();
  }

  private write(subscriber: Subscriber, message: string): void {
    if (!subscriber.response.write(message)) subscriber.blocked = true;
  }
}

/** One `data:` event; JSON.stringify output has no raw newline to split. */
function event(json: string): string {
  return `data: ${json}\n\n`;
}
