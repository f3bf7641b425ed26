/**
 * The home router forgets every flow (`conntrack -F`), as routers do when
 * their table fills or they clean up idle entries: the client's waiting
 * registrations are dead, but neither end is told. Visitors arriving right
 * after must still be served, none of them paired with a dead registration.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  checkNetns,
  describeVisit,
  describeWithNetns,
  now,
  recordFigure,
  seconds,
  startTunnelBed,
  stderrTail,
  type TunnelBed,
  type VisitResult,
  visitPublic,
} from "../src/index.js";

const ready = await checkNetns();
const SCENARIO = "NAT forgets the tunnel";
/** More visitors than a client keeps registrations waiting (four): each dead one gets its chance. */
const VISITORS = 6;
const TARGET_MS = 10_000;
const BOUND_MS = 15_000;

describeWithNetns(ready, "fault: the NAT forgets every tunnel connection", () => {
  let bed: TunnelBed;
  beforeAll(async () => {
    bed = await startTunnelBed();
  });
  afterAll(() => bed?.nat.destroy());

  it(`serves every visitor arriving right after, each ≤ ${TARGET_MS / 1000} s`, async () => {
    // The client's registrations are waiting; the router knows their flows.
    const flows = await bed.nat.natFlows();
    expect(flows).toBeGreaterThanOrEqual(1);
    const drops = await bed.nat.invalidDrops();
    const forgotten = await bed.nat.forgetNat();
    const forgotAt = now();
    // A refused visitor was paired with nothing: it may try again; any other end is final.
    const visits: VisitResult[] = await Promise.all(
      Array.from({ length: VISITORS }, () =>
        visitPublic(bed.visitor, {
          retryOn: ["refused"],
          deadlineMs: BOUND_MS,
          attemptTimeoutMs: BOUND_MS,
        }),
      ),
    );
    const dropped = await bed.nat.invalidDrops();
    const droppedPackets = dropped.forwarded + dropped.toRouter - drops.forwarded - drops.toRouter;
    const lines = visits.map((visit, i) => {
      const ms = visit.endedAt - forgotAt;
      return `visitor ${i + 1}: ${visit.outcome} after ${seconds(ms)} (${describeVisit(visit)}${
        visit.last.outcome === "closed" ? `, ${visit.last.received} bytes back` : ""
      })`;
    });
    const served = visits.filter((v) => v.outcome === "served");
    const slowest = Math.max(...visits.map((v) => v.endedAt - forgotAt));
    const met = served.length === VISITORS && slowest <= TARGET_MS;
    recordFigure({
      scenario: SCENARIO,
      text:
        served.length === VISITORS
          ? `all ${VISITORS} visitors served, the last ${seconds(slowest)} after the flush`
          : `${served.length} of ${VISITORS} visitors served within ${seconds(BOUND_MS)} after the flush`,
      value: served.length === VISITORS ? slowest / 1000 : null,
      unit: "s",
      target: `all served, each ≤ ${seconds(TARGET_MS)}`,
      met,
      note: `${forgotten} flows forgotten, ${droppedPackets} packets of dead flows dropped; ${lines.join("; ")}`,
    });
    const first = visits[0]!;
    recordFigure({
      scenario: SCENARIO,
      text:
        first.outcome === "served"
          ? `the first visitor served ${seconds(first.endedAt - forgotAt)} after the flush`
          : `the first visitor ${first.outcome} after ${seconds(first.endedAt - forgotAt)}, not served`,
      value: first.outcome === "served" ? (first.endedAt - forgotAt) / 1000 : null,
      unit: "s",
      target: `≤ ${seconds(TARGET_MS)}`,
      met: first.outcome === "served" && first.endedAt - forgotAt <= TARGET_MS,
    });
    const unserved = lines.filter((_, i) => visits[i]!.outcome !== "served");
    expect
      .soft(unserved, `visitors not served\n${stderrTail(bed.client)}\n${stderrTail(bed.server)}`)
      .toEqual([]);
    expect.soft(slowest, "slowest visitor, ms after the flush").toBeLessThanOrEqual(TARGET_MS);
  });
});
