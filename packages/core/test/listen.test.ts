import type { Server, Socket } from "node:net";
import { connectTo, Teardown } from "@fwd/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { ErrorCodes, type FwdError } from "../src/errors.js";
import { listen } from "../src/listen.js";

const teardown = new Teardown();
afterEach(() => teardown.run());

function closeServer(server: Server): () => Promise<void> {
  return () => new Promise((resolve) => server.close(() => resolve()));
}

describe("listen", () => {
  it("binds port 0 to a real port and hands over connections paused", async () => {
    const accepted: Socket[] = [];
    let connected!: () => void;
    const firstConnection = new Promise<void>((resolve) => {
      connected = resolve;
    });
    const server = await listen({
      host: "127.0.0.1",
      port: 0,
      onConnection: (socket) => {
        accepted.push(socket);
        connected();
      },
    });
    teardown.add(closeServer(server));
    const address = server.address();
    if (!address || typeof address === "string") throw new Error("no address");
    expect(address.address).toBe("127.0.0.1");
    expect(address.port).toBeGreaterThan(0);
    const client = await connectTo(address.port);
    teardown.add(() => {
      client.destroy();
      for (const socket of accepted) socket.destroy();
    });
    await firstConnection;
    expect(accepted).toHaveLength(1);
    expect(accepted[0]!.remotePort).toBe(client.localPort);
    expect(accepted[0]!.isPaused()).toBe(true);
  });

  it("rejects with ERR_FWD_ADDR_IN_USE naming the address when the port is taken", async () => {
    const first = await listen({ host: "127.0.0.1", port: 0, onConnection: (s) => s.destroy() });
    teardown.add(closeServer(first));
    const { port } = first.address() as { port: number };
    const error = await listen({ host: "127.0.0.1", port, onConnection: (s) => s.destroy() }).then(
      (second) => {
        second.close();
        throw new Error("the second listen succeeded");
      },
      (err: FwdError) => err,
    );
    expect(error.code).toBe(ErrorCodes.ADDR_IN_USE);
    expect(error.errno).toBe("EADDRINUSE");
    expect(error.message).toBe(
      `cannot listen on 127.0.0.1:${port}: the port is already in use; stop the program using it or choose another port`,
    );
    expect(error.exitStatus).toBe(1);
  });

  it("brackets an IPv6 address in its messages", async () => {
    const first = await listen({ host: "::1", port: 0, onConnection: (s) => s.destroy() });
    teardown.add(closeServer(first));
    const { port } = first.address() as { port: number };
    const error = await listen({ host: "::1", port, onConnection: (s) => s.destroy() }).catch(
      (err: FwdError) => err,
    );
    expect(error).toMatchObject({ code: ErrorCodes.ADDR_IN_USE });
    expect((error as FwdError).message).toMatch(
      new RegExp(`^cannot listen on \\[::1\\]:${port}: `),
    );
  });
});
