/** The modes the demo runs, each as real processes through the real bins. */
import {
  binPath,
  connectWithRetry,
  freePort,
  type ListeningBin,
  type RunningProcess,
  startListeningBin,
  startNode,
  type TestServer,
} from "@fwd/testkit";

export interface ModePorts {
  /** Where to connect to reach the echo service and the digest service. */
  echo: number;
  digest: number;
  stop(): Promise<void>;
}

export interface Mode {
  name: string;
  start(services: { echo: TestServer; digest: TestServer }): Promise<ModePorts>;
}

const loopback = ["--bind_host=127.0.0.1", "--bind_port=0"];

async function stopAll(processes: RunningProcess[]): Promise<void> {
  await Promise.all(processes.map((running) => running.stop("SIGINT")));
}

/** One tcp-forwarding process per service. */
async function tcpForwarding(service: TestServer): Promise<ListeningBin> {
  return startListeningBin(binPath("tcp-forwarding"), [
    ...loopback,
    "--target_host=127.0.0.1",
    `--target_port=${service.port}`,
  ]);
}

/** A user-server, and one user-client per service that asks it for that service. */
async function userPair(echo: TestServer, digest: TestServer): Promise<ModePorts> {
  const server = await startListeningBin(binPath("user-server"), loopback);
  const client = (service: TestServer) =>
    startListeningBin(binPath("user-client"), [
      ...loopback,
      "--server_host=127.0.0.1",
      `--server_port=${server.port}`,
      "--server_target_host=127.0.0.1",
      `--server_target_port=${service.port}`,
      "--unique_id=demo",
    ]);
  const clients = [await client(echo), await client(digest)];
  return {
    echo: clients[0]!.port,
    digest: clients[1]!.port,
    stop: () => stopAll([...clients, server]),
  };
}

/** A multi-server, and one multi-client per service with its own public port. */
async function multiPair(echo: TestServer, digest: TestServer): Promise<ModePorts> {
  const server = await startListeningBin(binPath("multi-server"), loopback);
  const processes: RunningProcess[] = [server];
  const tunnel = async (service: TestServer) => {
    const publicPort = await freePort();
    const client = startNode(binPath("multi-client"), [
      "--server_host=127.0.0.1",
      `--server_port=${server.port}`,
      "--target_host=127.0.0.1",
      `--target_port=${service.port}`,
      `--server_target_port=${publicPort}`,
      "--unique_id=demo",
    ]);
    processes.push(client);
    await client.waitFor(/registered with server/);
    // The server opens the public port when the registration reaches it.
    (await connectWithRetry(publicPort)).destroy();
    return publicPort;
  };
  return { echo: await tunnel(echo), digest: await tunnel(digest), stop: () => stopAll(processes) };
}

export const modes: Mode[] = [
  {
    name: "direct (no forwarder)",
    async start({ echo, digest }) {
      return { echo: echo.port, digest: digest.port, stop: async () => {} };
    },
  },
  {
    name: "tcp-forwarding",
    async start({ echo, digest }) {
      const processes = [await tcpForwarding(echo), await tcpForwarding(digest)];
      return {
        echo: processes[0]!.port,
        digest: processes[1]!.port,
        stop: () => stopAll(processes),
      };
    },
  },
  {
    name: "user-client -> user-server",
    start: ({ echo, digest }) => userPair(echo, digest),
  },
  {
    name: "multi-client <- multi-server",
    start: ({ echo, digest }) => multiPair(echo, digest),
  },
];
