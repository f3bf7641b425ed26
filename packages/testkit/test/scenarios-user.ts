/** User mode on the wire: what a legacy user-server and user-client do. */
import { startDigestServer, startServer } from "../src/index.js";
import { ID, ID_HEX, OK, type Scenario } from "./scenario.js";
import { legacyRequest, logs, openWire, startScriptedServer, type Wire } from "./wire.js";

/** A fake legacy server: takes the 35-byte request, answers OK, then echoes. */
function okThenEcho(frames: Buffer[]) {
  return async (client: Wire) => {
    await client.bytes(35);
    const received = client.received();
    frames.push(received.subarray(0, 35));
    client.socket.write(OK);
    client.socket.write(received.subarray(35));
    client.socket.on("data", (chunk: Buffer) => client.socket.write(chunk));
  };
}

export const userScenarios: Scenario[] = [
  {
    name: "user-server: OK once connected to the requested target, then relays both ways",
    expected: { reply: OK, fromTarget: "hi", echoed: "ping", logged: true },
    async run({ teardown, peer }) {
      const target = teardown.add(
        await startServer((socket) => {
          socket.write("hi");
          socket.pipe(socket);
        }),
      );
      const server = await peer("user-server");
      const client = await openWire(server.port, teardown);
      client.socket.write(legacyRequest("127.0.0.1", target.port, ID));
      await client.bytes(OK.length + 2);
      client.socket.write("ping");
      const all = await client.bytes(OK.length + 6);
      return {
        reply: all.subarray(0, 13).toString(),
        fromTarget: all.subarray(13, 15).toString(),
        echoed: all.subarray(15).toString(),
        logged: await logs(
          server,
          new RegExp(`^request 127\\.0\\.0\\.1:${target.port} id=b'${ID}'$`, "m"),
        ),
      };
    },
  },
  {
    name: "user-server: a target that refuses the connection: closed without a reply",
    expected: { reply: "", logged: true },
    async run({ teardown, peer }) {
      const server = await peer("user-server");
      const client = await openWire(server.port, teardown);
      client.socket.write(legacyRequest("127.0.0.1", 1, ID)); // nothing listens on port 1
      await client.closed;
      return {
        reply: client.received().toString(),
        logged: await logs(server, /^connect failed /m),
      };
    },
  },
  {
    name: "user-server: no half-close: a FIN from the client closes both ways, the answer is lost",
    expected: { reply: OK, afterFin: "" },
    async run({ teardown, peer }) {
      // The digest server answers only after the request's FIN: a relay
      // that carried the half-close would deliver that answer.
      const digest = teardown.add(await startDigestServer());
      const server = await peer("user-server");
      const client = await openWire(server.port, teardown);
      client.socket.write(legacyRequest("127.0.0.1", digest.port, ID));
      await client.bytes(OK.length);
      client.socket.end("question");
      await client.closed;
      return {
        reply: client.received().subarray(0, 13).toString(),
        afterFin: client.received().subarray(13).toString(),
      };
    },
  },
  {
    name: "user-client: sends the 35-byte request with the id padded, relays after OK",
    expected: {
      // <UVM> 127.0.0.1 3389 (int32 LE) "0000000000000abc" </UVM>
      request: `3c55564d3e7f0000013d0d0000${ID_HEX}3c2f55564d3e`,
      echoed: "ping",
    },
    async run({ teardown, peer }) {
      const frames: Buffer[] = [];
      const server = await startScriptedServer(teardown, okThenEcho(frames));
      const client = await peer("user-client", {
        server_host: "127.0.0.1",
        server_port: server.port,
        server_target_host: "127.0.0.1",
        server_target_port: 3389,
        unique_id: "abc",
      });
      const local = await openWire(client.port, teardown);
      local.socket.write("ping");
      const echoed = (await local.bytes(4)).toString();
      return { request: frames[0]?.toString("hex"), echoed };
    },
  },
  {
    name: "user-client: serves one local connection at a time",
    expected: {
      requestsWhileFirstOpen: 1,
      secondWhileFirstOpen: "",
      secondAfter: "two",
      requests: 2,
    },
    async run({ teardown, peer }) {
      const frames: Buffer[] = [];
      const server = await startScriptedServer(teardown, okThenEcho(frames));
      const client = await peer("user-client", {
        server_host: "127.0.0.1",
        server_port: server.port,
        server_target_host: "127.0.0.1",
        server_target_port: 3389,
      });
      const first = await openWire(client.port, teardown);
      first.socket.write("one");
      await first.bytes(3);
      const second = await openWire(client.port, teardown);
      second.socket.write("two");
      // A round trip on the first while the second waits: the peer is busy, not stuck.
      first.socket.write("again");
      await first.bytes(8);
      const requestsWhileFirstOpen = frames.length;
      const secondWhileFirstOpen = second.received().toString();
      first.socket.destroy();
      const secondAfter = (await second.bytes(3)).toString();
      return { requestsWhileFirstOpen, secondWhileFirstOpen, secondAfter, requests: frames.length };
    },
  },
];
