import { describe, expect, it } from "vitest";
import { helpText } from "../src/help.js";
import { PROGRAMS } from "../src/programs.js";
import { RELEASE_VERSION, runFwd } from "../src/run.js";

async function run(execName: string, argv: string[], version = "9.8.7") {
  let stdout = "";
  let stderr = "";
  const io = {
    stdout: (text: string) => {
      stdout += text;
    },
    stderr: (text: string) => {
      stderr += text;
    },
  };
  const status = await runFwd(execName, argv, io, version);
  return { status, stdout, stderr };
}

describe("runFwd", () => {
  it("prints the release version by default", async () => {
    const pkg = (await import("../package.json", { with: { type: "json" } })).default;
    expect(RELEASE_VERSION).toBe(pkg.version);
    expect(await run("fwd", ["--version"], RELEASE_VERSION)).toEqual({
      status: 0,
      stdout: `${RELEASE_VERSION}\n`,
      stderr: "",
    });
  });

  it("lists every program on one line of --help", async () => {
    const { status, stdout } = await run("fwd", ["--help"]);
    expect(status).toBe(0);
    expect(stdout).toBe(helpText("9.8.7"));
    expect(stdout).toContain("fwd 9.8.7");
    for (const program of PROGRAMS) {
      const line = stdout.split("\n").find((text) => text.startsWith(`  ${program.name} `));
      expect(line?.trim().split(/ {2,}/)).toEqual([program.name, program.line]);
    }
    for (const line of stdout.split("\n")) expect(line.length).toBeLessThanOrEqual(100);
  });

  it("exits 2 with one line for an unknown program", async () => {
    const { status, stdout, stderr } = await run("fwd", ["multi"]);
    expect(status).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe('fwd: unknown program "multi"; fwd --help lists the programs\n');
  });
});
