/**
 * The service behind the tunnel dies (SIGKILL) in the middle of a large
 * download: the visitor's connection must end promptly instead of hanging;
 * visitors while it is down are turned away; once it is back, served again.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  ADDRESSES,
  checkNetns,
  describeVisit,
  describeWithNetns,
  NOT_YET,
  now,
  PUBLIC_PORT,
  recordFigure,
  seconds,
  startTarget,
  startTunnelBed,
  type TunnelBed,
  visitPublic,
} from "../src/index.js";

const ready = await checkNetns();
const SCENARIO = "target dies mid-transfer";
/** The target is killed once the visitor has this much of the download. */
const KILL_AFTER_BYTES = 8 * 1024 * 1024;
const END_TARGET_MS = 2000;
const END_BOUND_MS = 15_000;
const DOWN_VISIT_TARGET_MS = 2000;
const SERVED_TARGET_MS = 2000;
const SERVED_BOUND_MS = 10_000;

describeWithNetns(ready, "fault: the target dies mid-transfer", () => {
  let bed: TunnelBed;
  beforeAll(async () => {
    bed = await startTunnelBed();
  });
  afterAll(() => bed?.nat.destroy());

  it("ends the visitor's download promptly", async () => {
    let killedAt = 0;
    const result = await bed.visitor.call(
      "download",
      {
        host: ADDRESSES.pub,
        port: PUBLIC_PORT,
        progressBytes: KILL_AFTER_BYTES,
        timeoutMs: END_BOUND_MS,
      },
      () => {
        killedAt = now();
        bed.target.process.child.kill("SIGKILL");
      },
    );
    await bed.target.process.exited;
    expect(killedAt, "the download reached the kill point").toBeGreaterThan(0);
    const endMs = result.endedAt - killedAt;
    const ended = result.outcome !== "timeout";
    recordFigure({
      scenario: SCENARIO,
      text: ended
        ? `the visitor's download ended (${result.outcome === "ended" ? "FIN" : result.outcome}) ${seconds(endMs)} after the target was killed`
        : `the visitor's download still open ${seconds(endMs)} after the target was killed`,
      value: ended ? endMs / 1000 : null,
      unit: "s",
      target: `≤ ${seconds(END_TARGET_MS)}`,
      met: ended && endMs <= END_TARGET_MS,
      note: `${(result.bytes / 1024 / 1024).toFixed(1)} MB received`,
    });
    expect(result.outcome, "how the download ended").not.toBe("timeout");
    expect(endMs, "ms from the kill to the end of the download").toBeLessThanOrEqual(END_TARGET_MS);
  });

  it("turns visitors away while the target is down", async () => {
    expect(bed.target.process.running()).toBe(false);
    const result = await visitPublic(bed.visitor, { attemptTimeoutMs: SERVED_BOUND_MS });
    const ms = result.endedAt - result.startedAt;
    const closed = result.outcome !== "timeout" && result.outcome !== "served";
    recordFigure({
      scenario: SCENARIO,
      text: closed
        ? `a visitor while the target is down got "${result.outcome}" after ${seconds(ms)}`
        : `a visitor while the target is down: ${result.outcome} after ${seconds(ms)}`,
      value: closed ? ms / 1000 : null,
      unit: "s",
      target: `closed ≤ ${seconds(DOWN_VISIT_TARGET_MS)}`,
      met: closed && ms <= DOWN_VISIT_TARGET_MS,
    });
    expect(result.outcome).not.toBe("timeout");
    expect(result.outcome).not.toBe("served"); // nothing can echo: the target is dead
    expect(ms).toBeLessThanOrEqual(DOWN_VISIT_TARGET_MS);
  });

  it("serves new visitors once the target is back", async () => {
    bed.target = await startTarget(bed.nat);
    const result = await visitPublic(bed.visitor, {
      retryOn: NOT_YET,
      deadlineMs: SERVED_BOUND_MS,
      attemptTimeoutMs: SERVED_BOUND_MS,
    });
    const servedMs = result.outcome === "served" ? result.endedAt - bed.target.at : null;
    recordFigure({
      scenario: SCENARIO,
      text:
        servedMs === null
          ? `no visitor served within ${seconds(SERVED_BOUND_MS)} after the target came back`
          : `a visitor served ${seconds(servedMs)} after the target listened again`,
      value: servedMs === null ? null : servedMs / 1000,
      unit: "s",
      target: `≤ ${seconds(SERVED_TARGET_MS)}`,
      met: servedMs !== null && servedMs <= SERVED_TARGET_MS,
      note: describeVisit(result),
    });
    expect(result.outcome, describeVisit(result)).toBe("served");
    expect(servedMs).toBeLessThanOrEqual(SERVED_TARGET_MS);
  });
});
