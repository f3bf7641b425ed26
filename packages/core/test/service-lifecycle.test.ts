import { startEchoServer, startRefusingPort, Teardown, type TestServer } from "@fwd/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ErrorCodes,
  Forwarder,
  FwdError,
  type FwdService,
  MultiClient,
  MultiServer,
  type ServiceState,
  UserClient,
  UserServer,
} from "../src/index.js";

/**
 * The life every service shares (FwdService), checked on each of the five:
 * new → starting → running → closing → closed, the draining and close
 * events in that order, and `done`.
 */
const loopback = { host: "127.0.0.1", port: 0 };
const teardown = new Teardown();
let echo: TestServer;
let userServer: UserServer;
let deadServer: { port: number };

beforeEach(async () => {
  echo = teardown.add(await startEchoServer());
  userServer = teardown.add(await new UserServer({ bind: loopback }).start());
  deadServer = teardown.add(await startRefusingPort());
});
afterEach(() => teardown.run());

const target = () => ({ host: "127.0.0.1", port: echo.port });

// biome-ignore lint/suspicious/noExplicitAny: any service, whatever its extra events
type AnyService = FwdService<any>;

const services: Array<[name: string, make: () => AnyService]> = [
  ["Forwarder", () => new Forwarder({ bind: loopback, target: target() })],
  ["UserServer", () => new UserServer({ bind: loopback })],
  [
    "UserClient",
    () =>
      new UserClient({
        bind: loopback,
        server: { host: "127.0.0.1", port: userServer.address().port },
        target: target(),
      }),
  ],
  ["MultiServer", () => new MultiServer({ bind: loopback })],
  [
    // Its server is down: it keeps retrying, which is running as far as its life goes.
    "MultiClient",
    () =>
      new MultiClient({
        server: { host: "127.0.0.1", port: deadServer.port },
        target: target(),
        publicPort: 1,
      }),
  ],
];

/** Records the service's state at each of its life events. */
function recordEvents(service: AnyService): string[] {
  const events: string[] = [];
  service.on("draining", () => events.push(`draining (${service.state})`));
  service.on("close", (error?: FwdError) =>
    events.push(`close (${service.state}${error ? `, ${error.code}` : ""})`),
  );
  return events;
}

describe.each(services)("%s", (_, make) => {
  it("goes new → starting → running → closing → closed; close() resolves done", async () => {
    const service = teardown.add(make());
    const events = recordEvents(service);
    const states: ServiceState[] = [service.state];
    const starting = service.start();
    states.push(service.state);
    expect(await starting).toBe(service);
    states.push(service.state);
    const closing = service.close();
    states.push(service.state);
    expect(service.close()).toBe(closing); // one shutdown, however often asked
    await closing;
    states.push(service.state);
    expect(states).toEqual(["new", "starting", "running", "closing", "closed"]);
    expect(events).toEqual(["draining (closing)", "close (closed)"]);
    await expect(service.done).resolves.toBeUndefined();
  });

  it("destroy(error) closes it and done rejects with that error", async () => {
    const service = teardown.add(make());
    const events = recordEvents(service);
    await service.start();
    const error = new FwdError(ErrorCodes.NETWORK, "stopped by the host program");
    const destroying = service.destroy(error);
    expect(service.state).toBe("closing");
    await destroying;
    expect(service.state).toBe("closed");
    expect(events).toEqual(["draining (closing)", `close (closed, ${ErrorCodes.NETWORK})`]);
    await expect(service.done).rejects.toBe(error);
  });

  it("close() before start() ends it without serving; start() then throws", async () => {
    const service = make();
    const events = recordEvents(service);
    await service.close();
    expect(service.state).toBe("closed");
    // Never started: nothing drained, but the close is announced and done settles.
    expect(events).toEqual(["close (closed)"]);
    await expect(service.done).resolves.toBeUndefined();
    await expect(service.start()).rejects.toMatchObject({ code: ErrorCodes.INVALID_STATE });
  });
});
