/**
 * The home uplink dies for 45 s (packets vanish beyond the router; see
 * HomeNat.blackout). A visitor arriving during the outage must get an
 * answer or a close, not hang; once the uplink is back, visitors must be
 * served again at once.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  checkNetns,
  describeVisit,
  describeWithNetns,
  NOT_YET,
  now,
  recordFigure,
  seconds,
  sleep,
  startTunnelBed,
  stderrTail,
  type TunnelBed,
  visitPublic,
} from "../src/index.js";

const ready = await checkNetns();
const SCENARIO = "WAN blackout 45 s";
const BLACKOUT_MS = 45_000;
/** The visitor during the outage arrives this long into it. */
const ARRIVAL_MS = 2000;
const ANSWER_TARGET_MS = 15_000;
const ANSWER_BOUND_MS = 20_000;
const RECOVERY_TARGET_MS = 2000;
const RECOVERY_BOUND_MS = 15_000;

describeWithNetns(ready, "fault: the WAN is blacked out for 45 s", () => {
  let bed: TunnelBed;
  beforeAll(async () => {
    bed = await startTunnelBed();
  });
  afterAll(async () => {
    await bed?.nat.blackout(false).catch(() => {});
    await bed?.nat.destroy();
  });

  it(`answers or closes a visitor during it ≤ ${ANSWER_TARGET_MS / 1000} s, and serves ≤ ${RECOVERY_TARGET_MS / 1000} s after it`, async () => {
    await bed.nat.blackout(true);
    const startedAt = now();
    let during: Awaited<ReturnType<typeof visitPublic>>;
    try {
      await sleep(ARRIVAL_MS);
      during = await visitPublic(bed.visitor, { attemptTimeoutMs: ANSWER_BOUND_MS });
      await sleep(Math.max(0, startedAt + BLACKOUT_MS - now()));
    } finally {
      await bed.nat.blackout(false);
    }
    const backAt = now();
    const after = await visitPublic(bed.visitor, {
      retryOn: NOT_YET,
      deadlineMs: RECOVERY_BOUND_MS,
      attemptTimeoutMs: RECOVERY_BOUND_MS,
    });

    const answerMs = during.endedAt - during.startedAt;
    const answered = during.outcome !== "timeout";
    recordFigure({
      scenario: SCENARIO,
      text: answered
        ? `a visitor during it ${during.outcome === "served" ? "served" : `got "${during.outcome}"`} after ${seconds(answerMs)}`
        : `a visitor during it hung, no answer within ${seconds(ANSWER_BOUND_MS)}`,
      value: answered ? answerMs / 1000 : null,
      unit: "s",
      target: `answered or closed ≤ ${seconds(ANSWER_TARGET_MS)}`,
      met: answered && answerMs <= ANSWER_TARGET_MS,
      note: `arrived ${seconds(ARRIVAL_MS)} into the outage`,
    });
    const recoveredMs = after.outcome === "served" ? after.endedAt - backAt : null;
    recordFigure({
      scenario: SCENARIO,
      text:
        recoveredMs === null
          ? `no visitor served within ${seconds(RECOVERY_BOUND_MS)} after the WAN came back`
          : `a visitor served ${seconds(recoveredMs)} after the WAN came back`,
      value: recoveredMs === null ? null : recoveredMs / 1000,
      unit: "s",
      target: `≤ ${seconds(RECOVERY_TARGET_MS)}`,
      met: recoveredMs !== null && recoveredMs <= RECOVERY_TARGET_MS,
      note: describeVisit(after),
    });

    // Soft: one run tells about both halves of the outage.
    const why = `${stderrTail(bed.client)}\n${stderrTail(bed.server)}`;
    expect.soft(during.outcome, "the visitor during the outage").not.toBe("timeout");
    expect
      .soft(answerMs, "ms until it was answered or closed")
      .toBeLessThanOrEqual(ANSWER_TARGET_MS);
    expect
      .soft(after.outcome, `a visitor after the outage (${describeVisit(after)})\n${why}`)
      .toBe("served");
    expect
      .soft(recoveredMs, `ms after the WAN came back (${describeVisit(after)})\n${why}`)
      .toBeLessThanOrEqual(RECOVERY_TARGET_MS);
  });
});
