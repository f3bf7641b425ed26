/** Multi mode on the wire: what a legacy multi-server and multi-client do. */
import { connectTo, connectWithRetry, freePort, startServer } from "../src/index.js";
import { ID, OK, type Scenario } from "./scenario.js";
import { legacyRequest, openWire, startScriptedServer, waitForLines, wire } from "./wire.js";

// The legacy protocol names a public port before anything listens there, so
// these scenarios probe one with freePort() and retry connecting to it.
/** Up to 5 s: a replaced listener comes back after about 1 s. */
const retry = { attempts: 250, intervalMs: 20 };

export const multiScenarios: Scenario[] = [
  {
    name: "multi-server: one public connection closes the listener, OK on the registration, relay both ways",
    expected: { reply: OK, up: "up", down: "down", nextPublic: "ECONNREFUSED" },
    async run({ teardown, peer }) {
      const server = await peer("multi-server");
      const publicPort = await freePort();
      const registration = await openWire(server.port, teardown);
      registration.socket.write(legacyRequest("127.0.0.1", publicPort, ID));
      await waitForLines(server, /^register 127\.0\.0\.1:\d+ /gm, 1);
      const pub = wire(await connectWithRetry(publicPort, retry), teardown);
      const reply = (await registration.bytes(13)).toString();
      pub.socket.write("up");
      const up = (await registration.bytes(15)).subarray(13).toString();
      registration.socket.write("down");
      const down = (await pub.bytes(4)).toString();
      const nextPublic = await connectTo(publicPort).then(
        (socket) => {
          wire(socket, teardown); // closed at teardown
          return "accepted";
        },
        (err: NodeJS.ErrnoException) => err.code,
      );
      return { reply, up, down, nextPublic };
    },
  },
  {
    name: "multi-server: a newer registration replaces the waiting one, bound again ~1 s later",
    expected: { pairedWith: "newer", olderGot: "", rebindTookAboutASecond: true },
    async run({ teardown, peer }) {
      const server = await peer("multi-server");
      const publicPort = await freePort();
      const older = await openWire(server.port, teardown);
      older.socket.write(legacyRequest("127.0.0.1", publicPort, "00000000000older"));
      await waitForLines(server, /^register 127\.0\.0\.1:\d+ /gm, 1);
      const newer = await openWire(server.port, teardown);
      newer.socket.write(legacyRequest("127.0.0.1", publicPort, "00000000000newer"));
      await waitForLines(server, /^register 127\.0\.0\.1:\d+ /gm, 2);
      const replacedAt = Date.now();
      const pub = wire(await connectWithRetry(publicPort, retry), teardown);
      const waited = Date.now() - replacedAt;
      const reply = await Promise.race([
        newer.bytes(13).then(() => "newer"),
        older.bytes(13).then(() => "older"),
      ]);
      pub.socket.write("hello");
      await newer.bytes(18); // a round trip's time for a stray OK to reach the older one
      return {
        pairedWith: reply,
        olderGot: older.received().toString(),
        rebindTookAboutASecond: waited >= 800,
      };
    },
  },
  {
    name: "multi-client: registers 0.0.0.0 and the public port, relays to the target on OK, registers again",
    expected: {
      // <UVM> 0.0.0.0 10086 (int32 LE) "0000000000legacy" </UVM>
      request: "3c55564d3e0000000066270000303030303030303030306c65676163793c2f55564d3e",
      echoed: "ping",
      registeredAgain: true,
    },
    async run({ teardown, peer }) {
      const target = teardown.add(await startServer((socket) => socket.pipe(socket)));
      const frames: Buffer[] = [];
      let registeredAgain!: () => void;
      const again = new Promise<void>((resolve) => {
        registeredAgain = resolve;
      });
      let echoed = "";
      const server = await startScriptedServer(teardown, async (registration, index) => {
        frames.push((await registration.bytes(35)).subarray(0, 35));
        if (index > 0) return registeredAgain();
        registration.socket.write(OK);
        registration.socket.write("ping");
        echoed = (await registration.bytes(39)).subarray(35).toString();
        registration.socket.destroy(); // the public side hangs up: the relay ends
      });
      await peer("multi-client", {
        server_host: "127.0.0.1",
        server_port: server.port,
        target_host: "127.0.0.1",
        target_port: target.port,
        server_target_port: 10086,
        unique_id: "legacy",
      });
      await again;
      return {
        request: frames[0]?.toString("hex"),
        echoed,
        registeredAgain: frames[1]?.equals(frames[0]!) ?? false,
      };
    },
  },
];
