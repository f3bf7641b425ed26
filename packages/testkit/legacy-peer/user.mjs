/** User mode: the client names the target, the server connects to it. */
import {
  decodeRequest,
  encodeRequest,
  OK,
  pythonBytes,
  REPLY_SIZE,
  REQUEST_SIZE,
} from "./frame.mjs";
import { legacyRelay } from "./relay.mjs";
import {
  boundAddress,
  closeAfterRead,
  dial,
  listen,
  READ_TIMEOUT_MS,
  readOnce,
} from "./sockets.mjs";

/**
 * One connection per request: one read for the frame, a connect to the
 * address in it, OK once connected, then the relay. Anything that goes
 * wrong closes the connection without a word.
 * @param {{ bind_host: string, bind_port: number }} flags
 * @param {(line: string) => void} log
 */
export async function userServer(flags, log) {
  const server = await listen({ host: flags.bind_host, port: flags.bind_port }, async (client) => {
    const first = await readOnce(client, READ_TIMEOUT_MS);
    const request = Buffer.isBuffer(first) ? decodeRequest(first) : undefined;
    if (!request) {
      log("verify failed");
      closeAfterRead(client, first, REQUEST_SIZE);
      return;
    }
    log(`request ${request.ip}:${request.port} id=${pythonBytes(request.id)}`);
    let target;
    try {
      target = await dial(request.ip, request.port);
    } catch (err) {
      log(`connect failed ${err.message}`);
      closeAfterRead(client, first, REQUEST_SIZE);
      return;
    }
    client.write(OK);
    target.write(first.subarray(REQUEST_SIZE)); // sent right behind the frame
    await legacyRelay(client, target);
  });
  log(`user-server listening ${boundAddress(server)}`);
}

/**
 * Accepts local connections and serves them strictly one after another: the
 * next one is not even read before the current relay has ended.
 * @param {{ bind_host: string, bind_port: number, server_host: string, server_port: number,
 *   server_target_host: string, server_target_port: number, unique_id: string }} flags
 * @param {(line: string) => void} log
 */
export async function userClient(flags, log) {
  const request = encodeRequest(
    flags.server_target_host,
    flags.server_target_port,
    flags.unique_id,
  );
  const queue = new SocketQueue();
  const server = await listen({ host: flags.bind_host, port: flags.bind_port }, (local) =>
    queue.push(local),
  );
  log(`user-client listening ${boundAddress(server)}`);
  for (;;) {
    const local = await queue.next();
    let upstream;
    try {
      upstream = await dial(flags.server_host, flags.server_port);
    } catch (err) {
      log(`server unreachable ${err.message}`);
      local.destroy();
      continue;
    }
    upstream.write(request);
    const reply = await readOnce(upstream, READ_TIMEOUT_MS);
    if (!Buffer.isBuffer(reply) || !reply.subarray(0, REPLY_SIZE).equals(OK)) {
      log(`refused ${Buffer.isBuffer(reply) ? pythonBytes(reply) : reply}`);
      upstream.destroy();
      local.destroy();
      continue;
    }
    local.write(reply.subarray(REPLY_SIZE));
    await legacyRelay(local, upstream);
  }
}

/** Accepted sockets in arrival order, handed out one at a time. */
class SocketQueue {
  /** @type {import("node:net").Socket[]} */
  #sockets = [];
  /** @type {((socket: import("node:net").Socket) => void) | undefined} */
  #waiter;

  push(socket) {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter) waiter(socket);
    else this.#sockets.push(socket);
  }

  /** @returns {Promise<import("node:net").Socket>} */
  next() {
    const socket = this.#sockets.shift();
    if (socket) return Promise.resolve(socket);
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }
}
