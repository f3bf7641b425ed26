import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ErrorCodes, FwdError } from "../src/errors.js";
import {
  type RegistrationContext,
  RegistrationLoop,
  type RegistrationOutcome,
  type RegistrationState,
} from "../src/multi/registration-loop.js";

const refused = new FwdError(
  ErrorCodes.CONN_REFUSED,
  "cannot connect to server: connection refused",
);
const inUse = new FwdError(ErrorCodes.ADDR_IN_USE, "public port in use");
const denied = new FwdError(ErrorCodes.AUTH_FAILED, "bad token");
const silent = new FwdError(ErrorCodes.TIMEOUT, "server went silent");

type Step = RegistrationOutcome | "register-and-wait";

/**
 * Drives a loop with a scripted server: each attempt takes the next outcome
 * from `script` (a function of the attempt number), at the fake time it ran.
 * "register-and-wait" registers and waits until the test finishes it.
 */
function scripted(script: (attempt: number) => Step, slots: () => number = () => 1) {
  const attempts: number[] = [];
  const states: RegistrationState[] = [];
  const waiting: Array<(outcome: RegistrationOutcome) => void> = [];
  const loop = new RegistrationLoop({
    slots,
    backoff: { initialMs: 100, maxMs: 1000, random: () => 0 },
    onState: (state) => states.push(state),
    attempt: ({ signal, registered }: RegistrationContext) => {
      attempts.push(Date.now());
      const step = script(attempts.length);
      if (step !== "register-and-wait") return Promise.resolve(step);
      registered("v2", 10086);
      return new Promise((resolve) => {
        waiting.push(resolve);
        signal.addEventListener("abort", () => resolve({ kind: "expired" }), { once: true });
      });
    },
  });
  return {
    loop,
    attempts,
    states,
    /** Ends the oldest registration that is waiting, as the server would. */
    finish: (outcome: RegistrationOutcome) => waiting.shift()?.(outcome),
    get waiting() {
      return waiting.length;
    },
  };
}

describe("RegistrationLoop", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("retries an unreachable server at once, then with growing delays, reporting it once", async () => {
    const run = scripted((n) => (n <= 5 ? { kind: "error", error: refused } : "register-and-wait"));
    await vi.advanceTimersByTimeAsync(5000);
    // Delays 50, 100, 200, 400, 500 (equal jitter at its floor, cap 1000).
    expect(run.attempts).toEqual([0, 50, 150, 350, 750, 1250]);
    expect(run.states.map((s) => s.state)).toEqual(["retrying", "registered"]);
    expect(run.states[0]).toMatchObject({ error: refused, retryInMs: 50 });
    expect(run.states[1]).toEqual({
      state: "registered",
      protocol: "v2",
      port: 10086,
      downForMs: 1250,
    });
    await run.loop.stop();
    expect(run.states.at(-1)).toEqual({ state: "stopped" });
  });

  it("never retries in a busy loop, however the server fails", async () => {
    const run = scripted(() => ({ kind: "error", error: refused }));
    await vi.advanceTimersByTimeAsync(60_000);
    // At most one attempt per 500 ms once the cap is reached: ~120 in a minute, not thousands.
    expect(run.attempts.length).toBeLessThan(125);
    expect(run.attempts.length).toBeGreaterThan(100);
    expect(run.states).toHaveLength(1);
    await run.loop.stop();
  });

  it("paces one outage for all slots: four registrations do not retry four times as often", async () => {
    let registered = false;
    const run = scripted(
      () => (registered ? "register-and-wait" : { kind: "error", error: refused }),
      () => 4,
    );
    await vi.advanceTimersByTimeAsync(10_000);
    const during = run.attempts.length;
    // One outage: 4 at once, then paced as one (~500 ms apart), not 4 × that.
    expect(during).toBeLessThan(30);
    registered = true;
    await vi.advanceTimersByTimeAsync(1000);
    // Once one attempt gets through, the others go at once instead of waiting their turn.
    expect(run.waiting).toBe(4);
    expect(run.attempts.length - during).toBe(4);
    await run.loop.stop();
  });

  it("grows to more slots once the server is known", async () => {
    let known = false;
    const run = scripted(
      () => {
        known = true;
        return "register-and-wait";
      },
      () => (known ? 4 : 1),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(run.waiting).toBe(4);
    expect(run.states.map((s) => s.state)).toEqual(["registered"]);
    await run.loop.stop();
  });

  it("registers again at once after a pairing, without a report", async () => {
    const run = scripted(() => "register-and-wait");
    await vi.advanceTimersByTimeAsync(0);
    run.finish({ kind: "paired" });
    await vi.advanceTimersByTimeAsync(0);
    run.finish({ kind: "expired" });
    await vi.advanceTimersByTimeAsync(0);
    expect(run.attempts).toEqual([0, 0, 0]);
    expect(run.states.map((s) => s.state)).toEqual(["registered"]);
    await run.loop.stop();
  });

  it("says the tunnel is down only when its last registration is lost, and for how long", async () => {
    let n = 0;
    const run = scripted(
      () => (++n <= 2 || n >= 5 ? "register-and-wait" : { kind: "error", error: refused }),
      () => 2,
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(run.waiting).toBe(2);
    run.finish({ kind: "lost", error: silent });
    await vi.advanceTimersByTimeAsync(0);
    // One link lost while the other waits: the tunnel is still up, nothing to report.
    expect(run.states.map((s) => s.state)).toEqual(["registered"]);
    run.finish({ kind: "lost", error: silent });
    await vi.advanceTimersByTimeAsync(5000);
    // Down: first for the lost link, then (a new cause) for the refused retries; once each.
    expect(run.states.map((s) => s.state)).toEqual([
      "registered",
      "retrying",
      "retrying",
      "registered",
    ]);
    expect(run.states[1]).toMatchObject({ error: silent, retryInMs: 0 });
    expect(run.states[2]).toMatchObject({ error: refused });
    expect((run.states[3] as { downForMs: number }).downForMs).toBeGreaterThan(0);
    await run.loop.stop();
  });

  it("reports each change of state once: refused, then unreachable, then registered", async () => {
    const run = scripted((n) =>
      n <= 3
        ? { kind: "refused", error: inUse }
        : n <= 5
          ? { kind: "error", error: refused }
          : "register-and-wait",
    );
    await vi.advanceTimersByTimeAsync(10_000);
    expect(run.states.map((s) => s.state)).toEqual(["refused", "retrying", "registered"]);
    await run.loop.stop();
  });

  it("stops on a fatal outcome and reports why", async () => {
    const run = scripted((n) =>
      n === 1 ? { kind: "error", error: refused } : { kind: "fatal", error: denied },
    );
    await vi.advanceTimersByTimeAsync(1000);
    await run.loop.done;
    expect(run.attempts).toHaveLength(2);
    expect(run.states.at(-1)).toEqual({ state: "stopped", error: denied });
  });

  it("stops while backing off without another attempt", async () => {
    const run = scripted(() => ({ kind: "error", error: refused }));
    await vi.advanceTimersByTimeAsync(10);
    await run.loop.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(run.attempts).toHaveLength(1);
  });
});
