import { describe, expect, it } from "vitest";
import { createLogger, type LogSettings, localTime } from "../src/logger.js";

const at = new Date(2026, 10, 29, 18, 15, 2, 123);

function capture(settings?: LogSettings) {
  const out: string[] = [];
  const log = createLogger("multi-client", {
    write: (text) => out.push(text),
    now: () => at,
    settings,
  });
  return { log, out };
}

describe("log lines", () => {
  it("start with the local time, the level and the program", () => {
    const { log, out } = capture();
    log.info("connecting");
    log.warn("slow");
    log.error("failed");
    expect(out).toEqual([
      "2026-11-29 18:15:02.123 info  multi-client: connecting\n",
      "2026-11-29 18:15:02.123 warn  multi-client: slow\n",
      "2026-11-29 18:15:02.123 error multi-client: failed\n",
    ]);
  });

  it("name the tunnel they are about", () => {
    const { log, out } = capture();
    log.forTunnel("home-rdp").info("registered");
    expect(out).toEqual(["2026-11-29 18:15:02.123 info  multi-client[home-rdp]: registered\n"]);
  });

  it("give each line of a message its own prefix", () => {
    const { log, out } = capture();
    log.error("a.toml:1:1: one\na.toml:2:1: two");
    expect(out.join("").split("\n").filter(Boolean)).toEqual([
      "2026-11-29 18:15:02.123 error multi-client: a.toml:1:1: one",
      "2026-11-29 18:15:02.123 error multi-client: a.toml:2:1: two",
    ]);
  });

  it.each([
    ["error", ["error"]],
    ["warn", ["error", "warn"]],
    ["info", ["error", "warn", "info"]],
    ["debug", ["error", "warn", "info", "debug"]],
  ] as const)("at level %s write %j", (level, shown) => {
    const { log, out } = capture({ level, format: "text" });
    for (const each of ["error", "warn", "info", "debug"] as const) log[each](each);
    expect(out.map((line) => line.split(" ")[2])).toEqual(shown);
    expect(log.enabled("debug")).toBe(level === "debug");
  });

  it("write one JSON object per line with --log_format json", () => {
    const { log, out } = capture({ level: "info", format: "json" });
    log.forTunnel("rdp").error("refused", { code: "ERR_FWD_REFUSED" });
    log.info("two\nlines");
    const objects = out
      .join("")
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(objects).toEqual([
      {
        time: at.toISOString(),
        level: "error",
        program: "multi-client",
        tunnel: "rdp",
        message: "refused",
        code: "ERR_FWD_REFUSED",
      },
      { time: at.toISOString(), level: "info", program: "multi-client", message: "two" },
      { time: at.toISOString(), level: "info", program: "multi-client", message: "lines" },
    ]);
  });

  it("change level and format when configured again (a reload)", () => {
    const { log, out } = capture();
    log.configure({ level: "warn", format: "json" });
    log.info("hidden");
    log.warn("shown");
    expect(out).toHaveLength(1);
    expect(JSON.parse(out[0]!)).toMatchObject({ level: "warn", message: "shown" });
  });

  it("write debug package lines whatever the level", () => {
    const { log, out } = capture({ level: "error", format: "text" });
    log.debugOutput("fwd:core:relay #1 closed");
    expect(out).toEqual(["2026-11-29 18:15:02.123 debug multi-client: fwd:core:relay #1 closed\n"]);
  });

  it("pads the time", () => {
    expect(localTime(new Date(2026, 0, 2, 3, 4, 5, 6))).toBe("2026-01-02 03:04:05.006");
  });
});
