/**
 * A tiny request/response protocol over a forked child's IPC channel, so the
 * bench can keep load generators and servers in processes of their own (the
 * forwarder under test must never share a CPU queue or an fd table with the
 * traffic it relays) and still call them like functions.
 */
import { type ChildProcess, fork } from "node:child_process";

interface Request {
  id: number;
  task: string;
  args: unknown;
}

type Reply = { id: number; result: unknown } | { id: number; error: string };

// biome-ignore lint/suspicious/noExplicitAny: each task declares its own argument and result types
export type Handlers = Record<string, (args: any) => Promise<unknown>>;

/** A task map's argument and result types, for typed calls from the parent. */
export type ArgsOf<H extends Handlers, K extends keyof H> = Parameters<H[K]>[0];
export type ResultOf<H extends Handlers, K extends keyof H> = Awaited<ReturnType<H[K]>>;

/** In the child: answers requests from the parent; exits when the parent goes away. */
export function serve(handlers: Handlers, ready: unknown = {}): void {
  if (!process.send) throw new Error("this script must be started by the bench (no IPC channel)");
  process.on("message", async (message: Request) => {
    let reply: Reply;
    try {
      const handler = handlers[message.task];
      if (!handler) throw new Error(`unknown task ${message.task}`);
      reply = { id: message.id, result: await handler(message.args) };
    } catch (err) {
      reply = {
        id: message.id,
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      };
    }
    process.send?.(reply);
  });
  // An orphaned load generator would keep sockets open: leave with the parent.
  process.on("disconnect", () => process.exit(0));
  process.send({ ready });
}

/** In the parent: a forked child and a typed way to call its tasks. */
export interface Child<H extends Handlers> {
  pid: number;
  /** What the child passed to serve() once it was ready. */
  ready: unknown;
  call<K extends keyof H & string>(
    task: K,
    args: ArgsOf<H, K>,
    timeoutMs: number,
  ): Promise<ResultOf<H, K>>;
  stop(): Promise<void>;
}

/**
 * Forks `script` with this process's exec arguments, so a TypeScript child
 * runs under the same tsx loader as the bench itself.
 */
export async function startChild<H extends Handlers>(script: string): Promise<Child<H>> {
  const child: ChildProcess = fork(script, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const pending = new Map<number, { resolve(value: unknown): void; reject(err: Error): void }>();
  let nextId = 1;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  exited.then(() => {
    for (const { reject } of pending.values()) reject(new Error(`${script} exited`));
    pending.clear();
  });
  const ready = await new Promise<unknown>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) =>
      reject(new Error(`${script} exited (${code}) before it was ready`)),
    );
    child.once("message", (message: { ready: unknown }) => resolve(message.ready));
  });
  child.on("message", (message: Reply) => {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if ("error" in message) waiter.reject(new Error(message.error));
    else waiter.resolve(message.result);
  });
  return {
    pid: child.pid!,
    ready,
    call(task, args, timeoutMs) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        // Every call is bounded: a wedged child must not hang the whole run.
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${task} took longer than ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value as ResultOf<H, typeof task>);
          },
          reject: (err) => {
            clearTimeout(timer);
            reject(err);
          },
        });
        child.send({ id, task, args } satisfies Request);
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
