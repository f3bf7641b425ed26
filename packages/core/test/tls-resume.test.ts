import { once } from "node:events";
import { createServer, type Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import { makeCertificate, Teardown, type TestCertificate } from "@fwd/testkit";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { dial } from "../src/dial.js";
import { loadServerTls, secureServerSocket } from "../src/tls.js";

const teardown = new Teardown();
afterEach(() => teardown.run());
let certificate: TestCertificate;
beforeAll(async () => {
  certificate = await makeCertificate();
});

/** A TLS server that greets each connection once its handshake is done. */
async function tlsServer(): Promise<number> {
  const context = loadServerTls(certificate);
  const sockets = new Set<Socket>();
  const server = createServer((raw) => {
    const secure = secureServerSocket(raw, context);
    sockets.add(secure);
    secure.on("error", () => {});
    secure.once("secure", () => secure.write("!"));
    secure.once("close", () => sockets.delete(secure));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  teardown.add(async () => {
    for (const socket of sockets) socket.destroy();
    server.close();
    await once(server, "close");
  });
  return (server.address() as { port: number }).port;
}

async function connect(port: number, tls: { fingerprint: string }): Promise<TLSSocket> {
  const socket = (await dial({ host: "127.0.0.1", port, tls })) as TLSSocket;
  // TLS 1.3 tickets come after the handshake: read until one has arrived (a
  // resumed connection gets none, only the greeting).
  const arrived = once(socket, socket.isSessionReused() ? "data" : "session");
  socket.resume();
  await arrived;
  teardown.add(() => socket.destroy());
  return socket;
}

describe("TLS sessions", () => {
  it("resumes the session of a verified connection on the next one", async () => {
    const port = await tlsServer();
    const tls = { fingerprint: certificate.fingerprint };
    const first = await connect(port, tls);
    expect(first.isSessionReused()).toBe(false);
    const second = await connect(port, tls);
    expect(second.isSessionReused()).toBe(true);
  });

  it("never resumes with a ticket a wrong pin could have used", async () => {
    const port = await tlsServer();
    await connect(port, { fingerprint: certificate.fingerprint });
    const wrong = { fingerprint: `sha256:${"AB:".repeat(31)}AB` };
    await expect(dial({ host: "127.0.0.1", port, tls: wrong })).rejects.toMatchObject({
      code: "ERR_FWD_TLS",
      message: expect.stringMatching(/does not match `tls.fingerprint`/),
    });
    await expect(dial({ host: "127.0.0.1", port, tls: wrong })).rejects.toMatchObject({
      code: "ERR_FWD_TLS",
    });
  });
});
