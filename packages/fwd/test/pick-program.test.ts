import { describe, expect, it } from "vitest";
import { type Choice, pickProgram } from "../src/pick.js";

/** A choice as a short string, so the table reads at a glance. */
function show(choice: Choice): string {
  switch (choice.kind) {
    case "run":
      return `run ${choice.program.name} [${choice.argv.join(" ")}]`;
    case "usage":
      return `usage: ${choice.message}`;
    default:
      return choice.kind;
  }
}

describe("pickProgram", () => {
  const cases: Array<[execName: string, argv: string[], expected: string | RegExp]> = [
    // Drop-ins: the file name decides, every argument goes to the program.
    ["tcp_forwarding", ["--bind_port", "1"], "run tcp-forwarding [--bind_port 1]"],
    ["C:\\Tools\\TCP_Forwarding.EXE", ["--help"], "run tcp-forwarding [--help]"],
    ["/usr/local/bin/tcp-forwarding", ["--version"], "run tcp-forwarding [--version]"],
    ["/srv/fwd/tcp_forwarding.js", [], "run tcp-forwarding []"],
    ["Z:\\rdp\\tcp_forwarding_user_server.exe", ["-v"], "run user-server [-v]"],
    ["user-server", [], "run user-server []"],
    ["tcp_forwarding_user_client", ["x"], "run user-client [x]"],
    ["user-client.exe", [], "run user-client []"],
    ["multi-server", [], "run multi-server []"],
    ["tcp_forwarding_multi_server", [], "run multi-server []"],
    ["tcp_forwarding_multi_server_select.exe", [], "run multi-server []"],
    ["./multi-client", ["multi-server"], "run multi-client [multi-server]"],
    ["tcp_forwarding_multi_client", ["--help"], "run multi-client [--help]"],
    // The dispatcher, under any other name: the first argument decides.
    ["fwd", ["multi-client", "--server_host", "h"], "run multi-client [--server_host h]"],
    ["fwd.exe", ["TCP_FORWARDING", "-h"], "run tcp-forwarding [-h]"],
    ["/opt/fwd-1.2.3-linux-x64", ["tcp_forwarding_multi_server_select"], "run multi-server []"],
    ["fwd-1.2.3-win-x64.exe", ["user-server", "--help"], "run user-server [--help]"],
    ["fwd", ["help", "multi-server"], "run multi-server [--help]"],
    ["fwd", ["--help"], "help"],
    ["fwd", ["-h"], "help"],
    ["fwd", ["help"], "help"],
    ["fwd", ["--version"], "version"],
    ["fwd", ["-v"], "version"],
    ["fwd", ["--version", "multi-client"], "version"],
    // Bad usage: one line with a hint.
    ["fwd", [], /^usage: name a program: .*fwd --help lists the programs$/],
    ["fwd", ["nope"], /^usage: unknown program "nope"; fwd --help/],
    ["fwd", ["help", "nope"], /^usage: unknown program "nope"; fwd --help/],
    ["fwd", ["--bind_port", "1"], /^usage: unknown flag --bind_port: name a program first/],
    ["node", ["tcp-forwarding"], "run tcp-forwarding []"],
    // Near misses are not drop-ins.
    ["tcp_forwarding (1).exe", ["multi-client"], "run multi-client []"],
    ["tcp_forwarding.py", ["user-client"], "run user-client []"],
  ];

  it.each(cases)("%s %j → %s", (execName, argv, expected) => {
    const shown = show(pickProgram(execName, argv));
    if (typeof expected === "string") expect(shown).toBe(expected);
    else expect(shown).toMatch(expected);
  });
});
