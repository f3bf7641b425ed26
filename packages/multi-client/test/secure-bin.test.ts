import {
  binPath,
  connectWithRetry,
  exchange,
  freePort,
  makeCertificate,
  startEchoServer,
  startListeningBin,
  startNode,
  Teardown,
} from "@fwd/testkit";
import { afterEach, describe, expect, it } from "vitest";

const clientBin = binPath("multi-client");
const serverBin = binPath("multi-server");
const teardown = new Teardown();
afterEach(() => teardown.run());

function startClient(serverPort: number, targetPort: number, publicPort: number, args: string[]) {
  return teardown.kill(
    startNode(clientBin, [
      "--server_host=127.0.0.1",
      `--server_port=${serverPort}`,
      "--target_host=127.0.0.1",
      `--target_port=${targetPort}`,
      `--server_target_port=${publicPort}`,
      ...args,
    ]),
  );
}

describe("multi pair bins, secured", () => {
  it("tunnel over TLS with a token and a port allowlist", async () => {
    const certificate = await makeCertificate();
    const echo = teardown.add(await startEchoServer());
    const publicPort = await freePort();
    const server = teardown.kill(
      await startListeningBin(serverBin, [
        "--bind_host=127.0.0.1",
        "--bind_port=0",
        "--token=s3cret",
        `--allow_ports=${publicPort}`,
        `--tls_cert=${certificate.certFile}`,
        `--tls_key=${certificate.keyFile}`,
      ]),
    );
    expect(server.stderr()).toMatch(/\(token, TLS, ports \d+\)/);
    const client = startClient(server.port, echo.port, publicPort, [
      "--token=s3cret",
      `--tls_fingerprint=${certificate.fingerprint}`,
    ]);
    await client.waitFor(/registered with server/);
    (await connectWithRetry(publicPort)).destroy();
    expect((await exchange(publicPort, Buffer.from("secured"))).toString()).toBe("secured");
  });

  it("stop the client with status 1 and the reason for a port outside --allow_ports", async () => {
    const server = teardown.kill(
      await startListeningBin(serverBin, [
        "--bind_host=127.0.0.1",
        "--bind_port=0",
        "--allow_ports=20000-20010",
      ]),
    );
    const client = startClient(server.port, 1, 30000, ["--protocol=v2"]);
    expect(await client.exited).toBe(1);
    expect(client.stderr()).toMatch(
      /error multi-client: server 127\.0\.0\.1:\d+ does not allow public port 30000: public port 30000 is not in the server's port allowlist \(20000-20010\)/,
    );
  });
});
