/**
 * A reference forwarder, the simplest one Node allows: a.pipe(b) both ways.
 * It shows what plain Node streams cost, next to fwd's relay. Usage:
 * pipe-forwarder.ts TARGET_PORT; it listens on a free loopback port and says
 * "listening on 127.0.0.1:PORT" on stderr.
 */
import { connect, createServer, type Socket } from "node:net";

const host = "127.0.0.1";
const targetPort = Number(process.argv[2]);

const server = createServer({ allowHalfOpen: true, noDelay: true }, (client: Socket) => {
  const target = connect({ host, port: targetPort, allowHalfOpen: true, noDelay: true });
  const fail = () => {
    client.destroy();
    target.destroy();
  };
  client.on("error", fail);
  target.on("error", fail);
  // pipe() ends each writer when its reader ends: half-close carries over.
  client.pipe(target);
  target.pipe(client);
});

server.listen(0, host, () => {
  const { port } = server.address() as { port: number };
  console.error(`pipe-forwarder: listening on ${host}:${port}`);
});
process.on("SIGINT", () => process.exit(0));
