import { once } from "node:events";
import { createServer, type Socket } from "node:net";
import { connectTo, exchange, startEchoServer, Teardown } from "@fwd/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { readerOf } from "../src/chunk-reader.js";
import { dial } from "../src/dial.js";
import { relay } from "../src/relay.js";
import { adoptSocket, canAdopt } from "../src/sockets.js";

const teardown = new Teardown();
afterEach(() => teardown.run());

/** A server whose accepted sockets go through `prepare` and adoptSocket(), relayed to `target`. */
async function adoptingForwarder(targetPort: number, prepare: (socket: Socket) => void) {
  const adopted: Socket[] = [];
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, async (accepted) => {
    prepare(accepted);
    const socket = adoptSocket(accepted);
    adopted.push(socket);
    const upstream = await dial({ host: "127.0.0.1", port: targetPort });
    relay(socket, upstream);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  teardown.add(() => new Promise((resolve) => server.close(resolve)));
  return { port: (server.address() as { port: number }).port, adopted, server };
}

describe("adopting accepted sockets", () => {
  it("moves a socket to the zero-copy path when Node's handle has the expected shape", async () => {
    const echo = teardown.add(await startEchoServer());
    let adoptable: boolean | undefined;
    const fwd = await adoptingForwarder(echo.port, (socket) => {
      adoptable = canAdopt(socket);
    });
    expect((await exchange(fwd.port, Buffer.from("zero-copy"))).toString()).toBe("zero-copy");
    expect(adoptable).toBe(true);
    expect(readerOf(fwd.adopted[0]!).zeroCopy).toBe(true);
  });

  it("falls back to the stream path when the private handle is not what it expects", async () => {
    const echo = teardown.add(await startEchoServer());
    let adoptable: boolean | undefined;
    const fwd = await adoptingForwarder(echo.port, (socket) => {
      // As a future Node might: the handle lacks the method adoption needs.
      const handle = (socket as unknown as { _handle: Record<string, unknown> })._handle;
      Object.defineProperty(handle, "useUserBuffer", { value: undefined });
      adoptable = canAdopt(socket);
    });
    expect((await exchange(fwd.port, Buffer.from("stream path"))).toString()).toBe("stream path");
    expect(adoptable).toBe(false);
    expect(readerOf(fwd.adopted[0]!).zeroCopy).toBe(false);
  });

  it("counts an adopted connection as closed on its server at once", async () => {
    const echo = teardown.add(await startEchoServer());
    const fwd = await adoptingForwarder(echo.port, () => {});
    const socket = await connectTo(fwd.port);
    socket.write("x");
    await once(socket, "data");
    // The server's own count no longer includes the adopted socket, so a
    // server close() is not held up by relays it no longer owns.
    const count = await new Promise<number>((resolve, reject) =>
      fwd.server.getConnections((err, n) => (err ? reject(err) : resolve(n))),
    );
    expect(count).toBe(0);
    expect(fwd.adopted[0]!.destroyed).toBe(false);
    socket.destroy();
  });
});
