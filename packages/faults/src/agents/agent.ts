/**
 * The agent: a visitor (or an attacker) living in one namespace, doing what
 * the test process asks on stdin and answering on stdout (see protocol.ts).
 * It exits when stdin ends, so it never outlives the test that started it.
 */
import { createInterface } from "node:readline";
import { download } from "./download.js";
import { Flood } from "./flood.js";
import { garbage } from "./garbage.js";
import type { OpName, Ops, Reply, Request } from "./protocol.js";
import { Sessions } from "./sessions.js";
import { visit } from "./visit.js";

const flood = new Flood();
const sessions = new Sessions();

function send(reply: Reply): void {
  process.stdout.write(`${JSON.stringify(reply)}\n`);
}

type Handler<K extends OpName> = (options: Ops[K][0], id: number) => Promise<Ops[K][1]>;

const handlers: { [K in OpName]: Handler<K> } = {
  visit: (options) => visit(options),
  download: (options, id) => download(options, (event) => send({ id, event })),
  flood: (options) => flood.start(options),
  release: () => flood.release(),
  garbage: (options) => garbage(options),
  open: (options) => sessions.connect(options),
  echo: ({ session, bytes, timeoutMs }) => sessions.echo(session, bytes, timeoutMs),
  close: ({ session }) => sessions.close(session),
};

async function handle(line: string): Promise<void> {
  let request: Request;
  try {
    request = JSON.parse(line) as Request;
  } catch {
    process.stderr.write(`agent: not JSON: ${line}\n`);
    return;
  }
  const { id, op, ...options } = request;
  const handler = handlers[op] as Handler<OpName> | undefined;
  try {
    if (!handler) throw new Error(`unknown op ${JSON.stringify(op)}`);
    send({ id, result: await handler(options as never, id) });
  } catch (err) {
    send({ id, error: err instanceof Error ? err.message : String(err) });
  }
}

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => void handle(line));
lines.once("close", () => process.exit(0));
process.stderr.write("agent: ready\n");
