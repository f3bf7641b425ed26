import { once } from "node:events";
import { createServer } from "node:net";

/**
 * A port that was free a moment ago. Only for what cannot bind port 0 and
 * report it: the reference python legacy peer, and ports a protocol names
 * before anything listens (a multi-client's public port). Anything else
 * binds port 0 and reads the real port back.
 */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  const server = createServer();
  server.listen(0, host);
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}
