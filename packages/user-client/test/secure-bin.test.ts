import { once } from "node:events";
import {
  binPath,
  connectTo,
  echoWithoutEof,
  exchange,
  makeCertificate,
  payload,
  sha256,
  startEchoServer,
  startLegacyPeer,
  startListeningBin,
  startNode,
  Teardown,
  type TestCertificate,
} from "@fwd/testkit";
import { afterEach, beforeAll, describe, expect, it } from "vitest";

const clientBin = binPath("user-client");
const serverBin = binPath("user-server");
const teardown = new Teardown();
afterEach(() => teardown.run());
let certificate: TestCertificate;
beforeAll(async () => {
  certificate = await makeCertificate();
});

async function server(args: string[], env?: NodeJS.ProcessEnv) {
  return teardown.kill(
    await startListeningBin(serverBin, ["--bind_host=127.0.0.1", "--bind_port=0", ...args], {
      env,
    }),
  );
}

async function client(
  serverPort: number,
  target: string,
  targetPort: number,
  args: string[] = [],
  env?: NodeJS.ProcessEnv,
) {
  return teardown.kill(
    await startListeningBin(
      clientBin,
      [
        "--bind_host=127.0.0.1",
        "--bind_port=0",
        "--server_host=127.0.0.1",
        `--server_port=${serverPort}`,
        `--server_target_host=${target}`,
        `--server_target_port=${targetPort}`,
        ...args,
      ],
      { env },
    ),
  );
}

/** Opens a connection through `through` and waits for it to be closed on us. */
async function refused(through: { port: number }): Promise<void> {
  const socket = await connectTo(through.port);
  socket.resume();
  await Promise.race([once(socket, "end"), once(socket, "close")]);
  socket.destroy();
}

describe("user pair bins with a token", () => {
  it("serve the right token (from FWD_TOKEN and --token_file alike)", async () => {
    const echo = teardown.add(await startEchoServer());
    const tokenServer = await server([], { FWD_TOKEN: "s3cret" });
    expect(tokenServer.stderr()).toMatch(/\(token\)/);
    const right = await client(tokenServer.port, "127.0.0.1", echo.port, [], {
      FWD_TOKEN: "s3cret",
    });
    const data = payload(1024 * 1024);
    expect(sha256(await exchange(right.port, data))).toBe(sha256(data));
  });

  it("refuse a wrong token: the client prints why and exits 1", async () => {
    const tokenServer = await server(["--token=s3cret"]);
    const wrong = await client(tokenServer.port, "127.0.0.1", 1, ["--token=guess"]);
    await refused(wrong);
    expect(await wrong.exited).toBe(1);
    expect(wrong.stderr()).toMatch(
      /error user-client: server 127\.0\.0\.1:\d+ refused the token \(wrong or missing token\)/,
    );
    await tokenServer.waitFor(/tried to authenticate with a wrong token; refused/);
  });

  it("refuse a legacy client, logging who tried", async () => {
    const tokenServer = await server(["--token=s3cret"]);
    const legacy = teardown.kill(
      await startLegacyPeer("user-client", {
        server_host: "127.0.0.1",
        server_port: tokenServer.port,
        server_target_host: "127.0.0.1",
        server_target_port: 1,
        unique_id: "oldpc",
      }),
    );
    await refused(legacy);
    await tokenServer.waitFor(
      /\(id "00000000000oldpc"\) speaks the legacy protocol, which cannot carry a token; refused/,
    );
  });
});

describe("user pair bins, allowlist and names", () => {
  it("print the server's reason for a target outside --allow_targets", async () => {
    const echo = teardown.add(await startEchoServer());
    const guarded = await server([`--allow_targets=127.0.0.1:${echo.port}`]);
    const allowed = await client(guarded.port, "127.0.0.1", echo.port, ["--protocol=v2"]);
    expect((await exchange(allowed.port, Buffer.from("yes"))).toString()).toBe("yes");
    const denied = await client(guarded.port, "127.0.0.1", echo.port + 1, ["--protocol=v2"]);
    await refused(denied);
    await denied.waitFor(/does not allow 127\.0\.0\.1:\d+: not in the server's target allowlist/);
  });

  it("reach a host-name target over v2", async () => {
    const echo = teardown.add(await startEchoServer());
    const open = await server([]);
    expect(open.stderr()).not.toMatch(/ warn {2}/); // bound to loopback: not exposed
    const named = await client(open.port, "localhost", echo.port);
    expect((await exchange(named.port, Buffer.from("by name"))).toString()).toBe("by name");
  });

  it("warn at start when the server is open to the network", async () => {
    const exposed = teardown.kill(startNode(serverBin, ["--bind_host=0.0.0.0", "--bind_port=0"]));
    await exposed.waitFor(
      /warn {2}user-server: listening on 0\.0\.0\.0 with neither --token nor --allow_targets: .*open relay/,
    );
  });
});

describe("user pair bins over TLS", () => {
  it("carry data with a pinned fingerprint, and refuse a wrong pin", async () => {
    const echo = teardown.add(await startEchoServer());
    const tlsServer = await server([
      `--tls_cert=${certificate.certFile}`,
      `--tls_key=${certificate.keyFile}`,
    ]);
    const pinned = await client(tlsServer.port, "127.0.0.1", echo.port, [
      `--tls_fingerprint=${certificate.fingerprint}`,
    ]);
    const data = payload(512 * 1024);
    expect(sha256(await exchange(pinned.port, data))).toBe(sha256(data));

    const wrongPin = `sha256:${"00".repeat(32)}`;
    const wrong = await client(tlsServer.port, "127.0.0.1", echo.port, [
      `--tls_fingerprint=${wrongPin}`,
    ]);
    await refused(wrong);
    expect(await wrong.exited).toBe(1);
    expect(wrong.stderr()).toMatch(/does not match --tls_fingerprint/);
  });
});

describe("a v2 client and a legacy server", () => {
  it("says the server may be legacy, and legacy mode still works", async () => {
    const echo = teardown.add(await startEchoServer());
    const legacy = teardown.kill(await startLegacyPeer("user-server", {}));
    const v2 = await client(legacy.port, "127.0.0.1", echo.port, ["--protocol=v2"]);
    await refused(v2);
    await v2.waitFor(/if it is a legacy server, set --protocol to legacy/);
    const plain = await client(legacy.port, "127.0.0.1", echo.port);
    expect((await echoWithoutEof(plain.port, Buffer.from("legacy ok"))).toString()).toBe(
      "legacy ok",
    );
  });
});
