import { createInterface } from "node:readline";
import type { OpName, Ops, Reply } from "./agents/protocol.js";
import type { NsProcess } from "./ns-process.js";

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
  onEvent?: ((event: unknown) => void) | undefined;
}

/** Talks to an agent running in a namespace: one call per op, answers matched by id. */
export class AgentClient {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(readonly process: NsProcess) {
    const stdout = process.child.stdout;
    if (!stdout || !process.child.stdin) throw new Error(`${process.name}: started without pipes`);
    createInterface({ input: stdout }).on("line", (line) => this.receive(line));
    void process.exited.then((code) => {
      for (const waiting of this.pending.values()) {
        waiting.reject(new Error(`${process.name} exited (${code}): ${process.stderr()}`));
      }
      this.pending.clear();
    });
  }

  call<K extends OpName>(
    op: K,
    options: Ops[K][0],
    onEvent?: (event: unknown) => void,
  ): Promise<Ops[K][1]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (!this.process.running()) {
        reject(new Error(`${this.process.name} is not running`));
        return;
      }
      this.pending.set(id, { resolve: resolve as (result: unknown) => void, reject, onEvent });
      this.process.child.stdin!.write(`${JSON.stringify({ id, op, ...options })}\n`);
    });
  }

  private receive(line: string): void {
    let reply: Reply;
    try {
      reply = JSON.parse(line) as Reply;
    } catch {
      return; // not ours
    }
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    if ("event" in reply) {
      waiting.onEvent?.(reply.event);
      return;
    }
    this.pending.delete(reply.id);
    if ("error" in reply) waiting.reject(new Error(`${this.process.name}: ${reply.error}`));
    else waiting.resolve(reply.result);
  }
}
