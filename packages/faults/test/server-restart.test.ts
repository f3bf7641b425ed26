/**
 * The public server crashes (SIGKILL) and comes back, ten times, after
 * outages from none to six seconds: how soon after it listens again is the
 * public port serving visitors? The client has to notice and come back on
 * its own; the longer outages push its retry backoff out.
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
  startServer,
  startTunnelBed,
  type TunnelBed,
  visitPublic,
} from "../src/index.js";

const ready = await checkNetns();
const SCENARIO = "server restart";
/** How long the server stays down before each restart (a wall-clock outage). */
const OUTAGES_MS = [0, 0, 500, 500, 1000, 1000, 2000, 2000, 4000, 6000];
const TARGET_MS = 1000;
/** A try not served within this long is recorded as missed and the next one starts. */
const BOUND_MS = 8000;

describeWithNetns(ready, "fault: the multi-server is killed and restarted", () => {
  let bed: TunnelBed;
  beforeAll(async () => {
    bed = await startTunnelBed();
  });
  afterAll(() => bed?.nat.destroy());

  it(`serves the public port again ≤ ${TARGET_MS / 1000} s after the restarted server listens, 10 tries of 10`, async () => {
    const missed: string[] = [];
    for (const [index, outageMs] of OUTAGES_MS.entries()) {
      const tryNote = `try ${index + 1}/${OUTAGES_MS.length}, server down ${seconds(outageMs)}`;
      await bed.server.process.stop("SIGKILL");
      await sleep(outageMs);
      bed.server = await startServer(bed.nat);
      const result = await visitPublic(bed.visitor, {
        retryOn: NOT_YET,
        deadlineMs: BOUND_MS,
        attemptTimeoutMs: BOUND_MS,
      });
      const servedMs = result.outcome === "served" ? result.endedAt - bed.server.at : null;
      const met = servedMs !== null && servedMs <= TARGET_MS;
      recordFigure({
        scenario: SCENARIO,
        text:
          servedMs === null
            ? `public port not served within ${seconds(BOUND_MS)} after the server listened`
            : `public port served ${seconds(servedMs)} after the server listened`,
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
