import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { commandName, PROGRAMS, programNamed } from "../src/programs.js";

function binNamesOf(dir: string): string[] {
  const url = new URL(`../../${dir}/package.json`, import.meta.url);
  const pkg = JSON.parse(readFileSync(url, "utf8")) as { name: string; bin: object };
  return Object.keys(pkg.bin);
}

describe("the program table", () => {
  it("lists the five programs, each with every bin name its package installs", () => {
    expect(PROGRAMS.map((program) => program.name)).toEqual([
      "tcp-forwarding",
      "user-server",
      "user-client",
      "multi-server",
      "multi-client",
    ]);
    for (const program of PROGRAMS) {
      expect(program.packageName).toBe(`@fwd/${program.name}`);
      expect([...program.bins].sort()).toEqual(binNamesOf(program.name).sort());
    }
  });

  it("loads each program's main()", async () => {
    for (const program of PROGRAMS) expect(typeof (await program.load())).toBe("function");
  });

  it.each([
    ["tcp_forwarding", "tcp_forwarding"],
    ["C:\\Program Files\\fwd\\Multi-Client.EXE", "multi-client"],
    ["/usr/bin/user-server.js", "user-server"],
    ["a/b\\c.cjs", "c"],
    ["multi-client.mjs", "multi-client"],
    ["fwd-0.1.0-win-x64.exe", "fwd-0.1.0-win-x64"],
    ["archive.exe.zip", "archive.exe.zip"],
    ["", ""],
  ])("commandName(%j) is %j", (path, name) => {
    expect(commandName(path)).toBe(name);
  });

  it("finds no program for other names", () => {
    expect(programNamed("fwd")).toBeUndefined();
    expect(programNamed("tcp_forwarding.py")).toBeUndefined();
    expect(programNamed("multi")).toBeUndefined();
  });
});
