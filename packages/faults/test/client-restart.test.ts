/**
 * The home PC's client crashes (SIGKILL) and is started again: how soon
 * after its start line does the public port serve visitors? Within the
 * server's port linger (1 s) the port is still open; after it, it is
 * reopened by the new registration.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  checkNetns,
  describeVisit,
  describeWithNetns,
  NOT_YET,
  recordFigure,
  seconds,
  sleep,
  startClient,
  startTunnelBed,
  type TunnelBed,
  visitPublic,
} from "../src/index.js";

const ready = await checkNetns();
const SCENARIO = "client restart";
/** How long the client stays down before each restart. */
const OUTAGES_MS = [0, 500, 2000];
const TARGET_MS = 2000;
const BOUND_MS = 10_000;

describeWithNetns(ready, "fault: the multi-client is killed and restarted", () => {
  let bed: TunnelBed;
  beforeAll(async () => {
    bed = await startTunnelBed();
  });
  afterAll(() => bed?.nat.destroy());

  it(`serves again ≤ ${TARGET_MS / 1000} s after the restarted client's start line`, async () => {
    const missed: string[] = [];
    for (const [index, outageMs] of OUTAGES_MS.entries()) {
      const tryNote = `try ${index + 1}/${OUTAGES_MS.length}, client down ${seconds(outageMs)}`;
      await bed.client.process.stop("SIGKILL");
      await sleep(outageMs);
      bed.client = await startClient(bed.nat);
      const result = await visitPublic(bed.visitor, {
        retryOn: NOT_YET,
        deadlineMs: BOUND_MS,
        attemptTimeoutMs: BOUND_MS,
      });
      const servedMs = result.outcome === "served" ? result.endedAt - bed.client.at : null;
      const met = servedMs !== null && servedMs <= TARGET_MS;
      recordFigure({
        scenario: SCENARIO,
        text:
          servedMs === null
            ? `public port not served within ${seconds(BOUND_MS)} after the client started`
            : `public port served ${seconds(servedMs)} after the client started`,
        value: servedMs === null ? null : servedMs / 1000,
        unit: "s",
        target: `≤ ${seconds(TARGET_MS)}`,
        met,
        note: `${tryNote}; ${describeVisit(result)}`,
      });
      if (!met) missed.push(`${tryNote}: ${servedMs === null ? "not served" : seconds(servedMs)}`);
    }
    expect(missed, "tries that missed the target").toEqual([]);
  });
});
