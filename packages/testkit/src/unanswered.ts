import { once } from "node:events";
import { connect, createServer, type Socket } from "node:net";
import { Worker } from "node:worker_threads";
import { connectTo } from "./traffic.js";

/** A loopback port where a connect attempt gets no answer at all, or is refused. */
export interface DeadPort {
  host: string;
  port: number;
  close(): Promise<void>;
}

/*
 * The listener lives in a worker thread whose event loop is blocked in
 * Atomics.wait, so it never accepts. The kernel completes handshakes into the
 * accept queue (backlog + 1 on Linux), then drops every further SYN: a
 * connect there hangs as it would toward a firewalled host, all on loopback.
 */
const LISTENER = `
const { parentPort, workerData } = require("node:worker_threads");
const { createServer } = require("node:net");
const server = createServer();
server.listen({ host: workerData.host, port: 0, backlog: workerData.backlog }, () => {
  parentPort.postMessage(server.address().port);
  Atomics.wait(new Int32Array(workerData.gate), 0, 0);
  server.close();
});
`;

/**
 * A port on 127.0.0.1 whose SYNs go unanswered: connecting there neither
 * succeeds nor fails until the connecting side gives up (Linux; macOS and
 * Windows answer a full backlog with a reset). No address off this machine
 * is involved.
 */
export async function startBlackhole(host = "127.0.0.1"): Promise<DeadPort> {
  const backlog = 1;
  const gate = new SharedArrayBuffer(4);
  const worker = new Worker(LISTENER, { eval: true, workerData: { host, backlog, gate } });
  const [port] = (await once(worker, "message")) as [number];
  // Fill the accept queue: these complete the handshake, and everything after them waits.
  const fillers: Socket[] = [];
  for (let i = 0; i <= backlog; i++) {
    const socket = connect({ host, port });
    socket.on("error", () => {}); // reset when the listener closes
    fillers.push(socket);
    await once(socket, "connect");
  }
  return {
    host,
    port,
    async close() {
      const exited = once(worker, "exit");
      const view = new Int32Array(gate);
      Atomics.store(view, 0, 1);
      Atomics.notify(view, 0);
      await exited;
      const closed = fillers.filter((s) => !s.closed).map((s) => once(s, "close"));
      for (const socket of fillers) socket.destroy();
      await Promise.all(closed);
    },
  };
}

/**
 * A port on 127.0.0.1 that refuses connections, held for as long as the test
 * needs it: the local port of an open connection, which nothing listens on.
 * Unlike a port probed free and closed, nothing else can take it meanwhile.
 */
export async function startRefusingPort(): Promise<DeadPort> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port: serverPort } = server.address() as { port: number };
  const [[accepted], holder] = (await Promise.all([
    once(server, "connection"),
    connectTo(serverPort),
  ])) as [[Socket], Socket];
  for (const socket of [accepted, holder]) socket.on("error", () => {});
  return {
    host: "127.0.0.1",
    port: holder.localPort!,
    async close() {
      const closed = [holder, accepted].filter((s) => !s.closed).map((s) => once(s, "close"));
      holder.destroy();
      accepted.destroy();
      await Promise.all([...closed, new Promise((resolve) => server.close(resolve))]);
    },
  };
}
