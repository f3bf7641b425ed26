/**
 * Random bytes, and random bytes behind the first bytes of real frames,
 * sent to the server's client port and to the public port: the server must
 * keep running and serving, and write no crash to its stderr.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  ADDRESSES,
  type AgentClient,
  checkNetns,
  describeVisit,
  describeWithNetns,
  expectServed,
  PUBLIC_PORT,
  recordFigure,
  SERVER_PORT,
  startAgent,
  startTunnelBed,
  type TunnelBed,
} from "../src/index.js";

const ready = await checkNetns();
const SCENARIO = "garbage bytes";
/** What a crash or an unhandled error leaves on stderr. */
const CRASH =
  /Uncaught|Unhandled|TypeError|RangeError|ReferenceError|SyntaxError|FATAL|Assertion|^\s+at .+:\d+:\d+\)?$/m;

describeWithNetns(ready, "fault: garbage bytes at both of the server's ports", () => {
  let bed: TunnelBed;
  let attacker: AgentClient;
  beforeAll(async () => {
    bed = await startTunnelBed();
    attacker = await startAgent(bed.nat, "atk");
  });
  afterAll(() => bed?.nat.destroy());

  it("keeps running and serving after garbage at the client port", async () => {
    const report = await attacker.call("garbage", {
      host: ADDRESSES.pub,
      port: SERVER_PORT,
      connections: 400,
      bytes: 4096,
      concurrency: 20,
      lingerMs: 3000,
    });
    const served = await expectServed(bed.visitor, "after garbage at the client port", 5000);
    recordFigure({
      scenario: SCENARIO,
      text: `client port: ${report.closedByPeer} of ${report.connected} garbage connections closed by the server (within 3 s each), server still serving`,
      value: report.closedByPeer,
      unit: "count",
      note: `${report.failed} failed to connect; then ${describeVisit(served)}`,
    });
    expect(report.connected).toBe(400);
    expect(bed.server.process.running(), "the server is running").toBe(true);
    expect(bed.server.process.stderr()).not.toMatch(CRASH);
  });

  it("keeps running and serving after garbage at the public port", async () => {
    // Public traffic is opaque: the garbage is relayed to the target, whose echo comes back.
    const report = await attacker.call("garbage", {
      host: ADDRESSES.pub,
      port: PUBLIC_PORT,
      connections: 100,
      bytes: 4096,
      concurrency: 25,
      lingerMs: 500,
    });
    const served = await expectServed(bed.visitor, "after garbage at the public port", 5000);
    recordFigure({
      scenario: SCENARIO,
      text: `public port: ${report.connected} garbage connections relayed (${(report.bytesBack / 1024).toFixed(0)} KiB echoed back), server still serving`,
      value: report.connected,
      unit: "count",
      note: `${report.failed} failed to connect; then ${describeVisit(served)}`,
    });
    expect(report.connected).toBe(100);
    expect(bed.server.process.running(), "the server is running").toBe(true);
    expect(bed.client.process.running(), "the client is running").toBe(true);
    expect(bed.server.process.stderr()).not.toMatch(CRASH);
    expect(bed.client.process.stderr()).not.toMatch(CRASH);
  });
});
