import { once } from "node:events";
import { createServer, type Socket } from "node:net";
import { connectTo, Teardown } from "@fwd/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { readerOf } from "../src/chunk-reader.js";
import { adoptSocket, canAdopt, connectSocket, isZeroCopyEnabled } from "../src/sockets.js";

/**
 * The read path each supported Node major takes, as measured (.ci/node-versions
 * runs this file on each). "zero-copy": accepted sockets are adopted onto
 * fwd's own read buffers (`onread`); "stream": Node's readable stream. A Node
 * not in the table fails here, so an upgrade that lost adoption (a changed
 * private handle) cannot fall back to the slower path unnoticed.
 */
const READ_PATH_BY_MAJOR: Record<number, "zero-copy" | "stream"> = {
  20: "zero-copy",
  22: "zero-copy",
  24: "zero-copy",
};

const major = Number(process.versions.node.split(".")[0]);
const teardown = new Teardown();
afterEach(() => teardown.run());

/** Accepts one real connection on 127.0.0.1 as fwd's servers do, and adopts it. */
async function acceptOne(): Promise<{ adoptable: boolean; adopted: Socket }> {
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  teardown.add(() => new Promise((resolve) => server.close(resolve)));
  const accepted = once(server, "connection") as Promise<[Socket]>;
  const client = await connectTo((server.address() as { port: number }).port);
  teardown.add(() => {
    client.destroy();
  });
  const [socket] = await accepted;
  const adoptable = canAdopt(socket);
  const adopted = adoptSocket(socket);
  teardown.add(() => {
    adopted.destroy();
  });
  return { adoptable, adopted };
}

describe(`the read path on Node ${process.versions.node}`, () => {
  it("is the one the table expects for this Node major", async () => {
    const expected = READ_PATH_BY_MAJOR[major];
    if (expected === undefined) {
      throw new Error(
        `Node ${major} is not in READ_PATH_BY_MAJOR: run this test on it and add the path it takes`,
      );
    }
    // FWD_ZERO_COPY=0 turns the zero-copy path off on purpose.
    const path = isZeroCopyEnabled() ? expected : "stream";
    const { adoptable, adopted } = await acceptOne();
    expect(adoptable).toBe(expected === "zero-copy");
    expect(readerOf(adopted).zeroCopy ? "zero-copy" : "stream").toBe(path);
  });

  it("takes the zero-copy path for dialed sockets whenever it is enabled", async () => {
    const server = createServer();
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    teardown.add(() => new Promise((resolve) => server.close(resolve)));
    const socket = connectSocket(
      { host: "127.0.0.1", port: (server.address() as { port: number }).port },
      true,
    );
    teardown.add(() => {
      socket.destroy();
    });
    await once(socket, "connect");
    expect(readerOf(socket).zeroCopy).toBe(isZeroCopyEnabled());
  });
});
