import { describe, expect, it } from "vitest";
import { type ProcessNames, selfName } from "../src/self-name.js";

describe("selfName", () => {
  const cases: Array<[what: string, names: ProcessNames, expected: string]> = [
    [
      "under node: the script, link name kept",
      { sea: false, argv0: "node", execPath: "/usr/bin/node", script: "/usr/bin/multi-client" },
      "/usr/bin/multi-client",
    ],
    [
      "under node without a script: node itself",
      { sea: false, argv0: "node", execPath: "/usr/bin/node", script: undefined },
      "/usr/bin/node",
    ],
    [
      "a copy of the executable, started from a shell that passes its full path",
      {
        sea: true,
        argv0: "C:\\fwd\\tcp_forwarding",
        execPath: "C:\\fwd\\tcp_forwarding.exe",
        script: "",
      },
      "C:\\fwd\\tcp_forwarding",
    ],
    [
      "a copy started by a parent that set a different argv0",
      { sea: true, argv0: "fwd", execPath: "C:\\fwd\\tcp_forwarding.exe", script: "" },
      "C:\\fwd\\tcp_forwarding.exe",
    ],
    [
      "a link to the executable: Linux resolved execPath, argv0 has the link's name",
      { sea: true, argv0: "./multi-client", execPath: "/opt/fwd-linux-x64", script: "" },
      "./multi-client",
    ],
    [
      "the executable under its own name",
      { sea: true, argv0: "./fwd", execPath: "/opt/fwd", script: "/opt/fwd" },
      "/opt/fwd",
    ],
    [
      "started with an argv0 that names nothing",
      { sea: true, argv0: "svc", execPath: "/opt/user-server", script: "/opt/user-server" },
      "/opt/user-server",
    ],
  ];

  it.each(cases)("%s", (_what, names, expected) => {
    expect(selfName(names)).toBe(expected);
  });
});
