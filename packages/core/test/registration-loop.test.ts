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

/**
 * Drives a loop with a scripted server: each attempt takes the next outcome
 * from `script` (a function of the attempt number), at the fake time it ran.
 */
function scripted(script: (attempt: number) => RegistrationOutcome | "register-and-wait") {
  const attempts: number[] = [];
  const states: RegistrationState[] = [];
  let waiting: ((outcome: RegistrationOutcome) => void) | undefined;
  const loop = new RegistrationLoop({
    slots: 1,
    backoff: { initialMs: 100, maxMs: 1000, random: () => 0 },
    onState: (state) => states.push(state),
    attempt: ({ signal, registered }: RegistrationContext) => {
      attempts.push(Date.now());
      const step = script(attempts.length);
      if (step !== "register-and-wait") return Promise.resolve(step);
      registered();
      return new Promise((resolve) => {
        waiting = resolve;
        signal.addEventListener("abort", () => resolve({ kind: "expired" }), { once: true });
      });
    },
  });
  return {
    loop,
    attempts,
    states,
    /** Ends the registration that is waiting, as the server would. */
    finish: (outcome: RegistrationOutcome) => waiting?.(outcome),
  };
}

describe("RegistrationLoop", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("retries an unreachable server with growing delays, reporting it once", async () => {
    const run = scripted((n) => (n <= 6 ? { kind: "error", error: refused } : "register-and-wait"));
    await vi.advanceTimersByTimeAsync(5000);
    // Delays 50, 100, 200, 400, 500, 500 (equal jitter at its floor, cap 1000).
    expect(run.attempts).toEqual([0, 50, 150, 350, 750, 1250, 1750]);
    expect(run.states.map((s) => s.state)).toEqual(["retrying", "registered"]);
    expect(run.states[0]).toMatchObject({ error: refused, retryInMs: 50 });
    await run.loop.stop();
    expect(run.states.at(-1)).toEqual({ state: "stopped" });
  });

  it("never retries in a busy loop, however the server fails", async () => {
    const run = scripted(() => ({ kind: "error", error: refused }));
    await vi.advanceTimersByTimeAsync(60_000);
    // At most one attempt per 500 ms once the cap is reached: ~120 in a minute, not thousands.
    expect(run.attempts.length).toBeLessThan(130);
    expect(run.states).toHaveLength(1);
    await run.loop.stop();
  });

  it("registers again at once after a pairing, and resets the backoff", async () => {
    const run = scripted((n) =>
      n === 1 ? { kind: "error", error: refused } : "register-and-wait",
    );
    await vi.advanceTimersByTimeAsync(50);
    expect(run.attempts).toEqual([0, 50]);
    await vi.advanceTimersByTimeAsync(1000);
    run.finish({ kind: "paired" });
    await vi.advanceTimersByTimeAsync(0);
    expect(run.attempts).toEqual([0, 50, 1050]);
    // Registered again after a pairing: not a new state, nothing more reported.
    expect(run.states.map((s) => s.state)).toEqual(["retrying", "registered"]);
    await run.loop.stop();
  });

  it("renews an expired registration at once, without a report", async () => {
    const run = scripted(() => "register-and-wait");
    await vi.advanceTimersByTimeAsync(0);
    run.finish({ kind: "expired" });
    await vi.advanceTimersByTimeAsync(0);
    run.finish({ kind: "expired" });
    await vi.advanceTimersByTimeAsync(0);
    expect(run.attempts).toEqual([0, 0, 0]);
    expect(run.states.map((s) => s.state)).toEqual(["registered"]);
    await run.loop.stop();
  });

  it("reports each change of state once: refused, then reachable again", async () => {
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
