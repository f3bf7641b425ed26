/** Multi mode, the reverse tunnel: the client registers a public port, the server opens it. */
import {
  decodeRequest,
  EX,
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
  sleep,
} from "./sockets.mjs";

/** How long the multi client waits for OK or EX before it registers again. */
const REPLY_TIMEOUT_MS = 30_000;
/** The pause after EX ("public port in use"). */
const EX_PAUSE_MS = 5_000;
/** The pause after a failed connection to the server. */
const RETRY_PAUSE_MS = 1_000;
/** A replaced listener's address is bound again this much later. */
const REBIND_PAUSE_MS = 1_000;

/**
 * Each registration gets its own listener (backlog 1) on the address and
 * port in its frame. The first public connection closes that listener, OK
 * goes out on the registration, and the two are relayed. A newer
 * registration for the same address replaces the waiting one; the old
 * registration is left open without an answer (the reference stand-in does
 * the same) until its client gives up. Never sends EX.
 * @param {{ bind_host: string, bind_port: number }} flags
 * @param {(line: string) => void} log
 */
export async function multiServer(flags, log) {
  /** @type {Map<string, import("node:net").Server>} the listener waiting at each address */
  const waiting = new Map();
  const server = await listen({ host: flags.bind_host, port: flags.bind_port }, (reg) =>
    serveRegistration(reg, waiting, log),
  );
  log(`multi-server listening ${boundAddress(server)}`);
}

/**
 * One registration: verify it, replace a waiting one at the same address,
 * listen, then wait for a public connection or for the registration to end.
 * @param {import("node:net").Socket} reg
 * @param {Map<string, import("node:net").Server>} waiting
 * @param {(line: string) => void} log
 */
async function serveRegistration(reg, waiting, log) {
  const first = await readOnce(reg, READ_TIMEOUT_MS);
  const request = Buffer.isBuffer(first) ? decodeRequest(first) : undefined;
  if (!request) {
    log("verify failed");
    closeAfterRead(reg, first, REQUEST_SIZE);
    return;
  }
  const key = `${request.ip}:${request.port}`;
  log(`register ${key} id=${pythonBytes(request.id)}`);
  const replaced = waiting.get(key);
  if (replaced) {
    waiting.delete(key);
    replaced.close();
    await sleep(REBIND_PAUSE_MS); // the legacy server gave the old socket a second to go
  }

  const early = [first.subarray(REQUEST_SIZE)]; // bytes the client sent before OK
  const onEarly = (chunk) => early.push(chunk);
  /** @type {import("node:net").Server | undefined} */
  let listener;
  let paired = false;
  const stopWaiting = () => {
    listener?.close();
    if (waiting.get(key) === listener) waiting.delete(key);
    reg.off("data", onEarly);
    reg.off("end", dropped);
    reg.off("close", dropped);
    reg.pause();
  };
  const dropped = () => {
    stopWaiting();
    reg.destroy();
    log(`registration closed ${key}`);
  };
  const pair = (pub) => {
    if (paired) {
      pub.destroy(); // a second one slipped in before the listener closed
      return;
    }
    paired = true;
    stopWaiting();
    reg.write(OK);
    log(`paired ${key}`);
    for (const chunk of early) pub.write(chunk);
    legacyRelay(pub, reg);
  };

  try {
    listener = await listen({ host: request.ip, port: request.port, backlog: 1 }, pair);
  } catch (err) {
    log(`listen failed ${key} ${err.message}`);
    reg.destroy();
    return;
  }
  waiting.set(key, listener);
  // Read on while waiting, or a registration that hangs up would go unnoticed.
  reg.on("data", onEarly);
  reg.once("end", dropped);
  reg.once("close", dropped);
  if (reg.destroyed) dropped();
  else reg.resume();
}

/**
 * Registers, waits for OK, connects to the target and relays; then
 * registers again. One public connection is served at a time.
 * @param {{ server_host: string, server_port: number, target_host: string, target_port: number,
 *   server_target_port: number, unique_id: string }} flags
 * @param {(line: string) => void} log
 */
export async function multiClient(flags, log) {
  const request = encodeRequest("0.0.0.0", flags.server_target_port, flags.unique_id);
  const server = `${flags.server_host}:${flags.server_port}`;
  for (;;) {
    let upstream;
    try {
      upstream = await dial(flags.server_host, flags.server_port);
    } catch (err) {
      log(`server unreachable ${err.message}, retrying in 1 s`);
      await sleep(RETRY_PAUSE_MS);
      continue;
    }
    upstream.write(request);
    log(`registered with ${server} for 0.0.0.0:${flags.server_target_port}`);
    const reply = await readOnce(upstream, REPLY_TIMEOUT_MS);
    if (reply === "timeout") {
      upstream.destroy();
      continue;
    }
    const head = Buffer.isBuffer(reply) ? reply.subarray(0, REPLY_SIZE) : undefined;
    if (head?.equals(EX)) {
      upstream.destroy();
      log("server port in use, waiting 5 s");
      await sleep(EX_PAUSE_MS);
      continue;
    }
    if (!head?.equals(OK)) {
      upstream.destroy();
      log(`refused ${head ? pythonBytes(head) : reply}, retrying in 1 s`);
      await sleep(RETRY_PAUSE_MS);
      continue;
    }
    let target;
    try {
      target = await dial(flags.target_host, flags.target_port);
    } catch (err) {
      log(`target unreachable ${err.message}`);
      upstream.destroy();
      continue;
    }
    log(`paired, relaying to ${flags.target_host}:${flags.target_port}`);
    target.write(reply.subarray(REPLY_SIZE));
    await legacyRelay(upstream, target);
  }
}
