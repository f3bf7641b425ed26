import { once } from "node:events";
import {
  type DeadPort,
  startBlackhole,
  startEchoServer,
  startRefusingPort,
  Teardown,
  waitUntil,
} from "@fwd/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { readerOf } from "../src/chunk-reader.js";
import { dial } from "../src/dial.js";
import { ErrorCodes, type FwdError } from "../src/errors.js";
import { isZeroCopyEnabled } from "../src/sockets.js";

const teardown = new Teardown();
afterEach(() => teardown.run());

/** TCP sockets this thread holds open now. */
function tcpResources(): number {
  return process.getActiveResourcesInfo().filter((name) => name === "TCPSocketWrap").length;
}

/** Resolves once every socket opened since `baseline` was taken has closed. */
async function backTo(baseline: number): Promise<void> {
  await waitUntil(() => tcpResources() === baseline, { what: "the dialed socket to close" });
}

async function failure(promise: Promise<unknown>): Promise<FwdError> {
  return promise.then(
    () => {
      throw new Error("dial resolved; it should have failed");
    },
    (err: FwdError) => err,
  );
}

describe("dial", () => {
  let blackhole: DeadPort;

  async function unanswered(): Promise<DeadPort> {
    blackhole = teardown.add(await startBlackhole());
    return blackhole;
  }

  it("resolves with a connected, paused socket that emits 'data' like any other", async () => {
    const echo = teardown.add(await startEchoServer());
    const socket = await dial({ host: "127.0.0.1", port: echo.port });
    teardown.add(() => {
      socket.destroy();
    });
    expect(socket.remotePort).toBe(echo.port);
    expect(socket.isPaused()).toBe(true);
    const data = once(socket, "data");
    socket.resume();
    socket.write("plain");
    expect(String((await data)[0])).toBe("plain");
  });

  it("with zeroCopy, resolves with a socket that relay() reads through fwd's buffers", async () => {
    const echo = teardown.add(await startEchoServer());
    const socket = await dial({ host: "127.0.0.1", port: echo.port, zeroCopy: true });
    teardown.add(() => {
      socket.destroy();
    });
    expect(readerOf(socket).zeroCopy).toBe(isZeroCopyEnabled());
    // On the zero-copy path reads bypass 'data' events: what reads is the socket's reader.
    const echoed = new Promise<string>((resolve) =>
      readerOf(socket).start((chunk) => {
        resolve(chunk.toString());
        return true;
      }),
    );
    socket.write("ping");
    expect(await echoed).toBe("ping");
  });

  it("rejects with ERR_FWD_TIMEOUT when nothing answers, and leaves no socket behind", async () => {
    const { host, port } = await unanswered();
    const baseline = tcpResources();
    const started = performance.now();
    const error = await failure(dial({ host, port, timeoutMs: 150 }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(error.code).toBe(ErrorCodes.TIMEOUT);
    expect(error.message).toBe(
      `cannot connect to 127.0.0.1:${port}: no answer within 0.15 s; check the address and any firewall between`,
    );
    await backTo(baseline);
  });

  it("rejects with ERR_FWD_ABORTED for a signal aborted before it starts, opening nothing", async () => {
    const { host, port } = await unanswered();
    const baseline = tcpResources();
    const error = await failure(dial({ host, port, signal: AbortSignal.abort() }));
    expect(error.code).toBe(ErrorCodes.ABORTED);
    expect(error.message).toBe(`connecting to 127.0.0.1:${port} was aborted`);
    expect(tcpResources()).toBe(baseline);
  });

  it("rejects with ERR_FWD_ABORTED when aborted while connecting, and leaves no socket behind", async () => {
    const { host, port } = await unanswered();
    const baseline = tcpResources();
    const controller = new AbortController();
    const dialing = failure(dial({ host, port, signal: controller.signal, timeoutMs: 0 }));
    // The connect is in flight (the SYN went unanswered): a socket and its request exist.
    expect(tcpResources()).toBeGreaterThan(baseline);
    controller.abort();
    const error = await dialing;
    expect(error.code).toBe(ErrorCodes.ABORTED);
    await backTo(baseline);
  });

  it("maps a refused connection to ERR_FWD_CONN_REFUSED naming the address", async () => {
    const refusing = teardown.add(await startRefusingPort());
    const baseline = tcpResources();
    const error = await failure(dial({ host: refusing.host, port: refusing.port }));
    expect(error.code).toBe(ErrorCodes.CONN_REFUSED);
    expect(error.errno).toBe("ECONNREFUSED");
    expect(error.message).toBe(
      `cannot connect to 127.0.0.1:${refusing.port}: connection refused; check that the service is running and the port is right`,
    );
    await backTo(baseline);
  });
});
