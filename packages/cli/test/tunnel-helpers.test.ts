import { ErrorCodes, FwdError } from "@fwd/core";
import { describe, expect, it } from "vitest";
import { createLogger } from "../src/logger.js";
import { warnIfUnresolvable } from "../src/tunnels/host-check.js";
import { placeError } from "../src/tunnels/place-error.js";
import { describeReload } from "../src/tunnels/reload.js";

const flags = {
  token_file: { kind: "file", describe: "", option: "tokenFile" },
  bind_port: { kind: "listen-port", describe: "", option: "bind.port" },
  tls_ca: { kind: "file", describe: "", option: "tls.ca" },
} as const;

describe("placeError", () => {
  const unreadable = new FwdError(
    ErrorCodes.INVALID_ARG,
    '`tokenFile` cannot be read: "x.token": ENOENT',
    { option: "tokenFile" },
  );

  it("puts the file position of the value first, naming the key as written there", () => {
    const placed = placeError(unreadable, flags, {
      origins: { token_file: "home.toml:3:14" },
      at: "home.toml:5:1",
    }) as FwdError;
    expect(placed.message).toBe('home.toml:3:14: `token_file` cannot be read: "x.token": ENOENT');
    expect(placed.code).toBe(ErrorCodes.INVALID_ARG);
    expect(placed.exitStatus).toBe(2);
  });

  it("names the flag of a value from the command line, with no position", () => {
    const placed = placeError(unreadable, flags, { origins: { token_file: "command line" } });
    expect((placed as Error).message).toBe('--token_file cannot be read: "x.token": ENOENT');
  });

  it("points a listen failure at the port the tunnel claims, else at its table", () => {
    const inUse = new FwdError(
      ErrorCodes.ADDR_IN_USE,
      "cannot listen on 127.0.0.1:80: the port is already in use",
    );
    const source = {
      origins: { bind_port: "a.toml:9:13" },
      at: "a.toml:6:1",
      listenFlag: "bind_port",
    };
    expect((placeError(inUse, flags, source) as Error).message).toBe(
      "a.toml:9:13: cannot listen on 127.0.0.1:80: the port is already in use",
    );
    const other = new FwdError(ErrorCodes.NETWORK, "something else");
    expect((placeError(other, flags, source) as Error).message).toBe("a.toml:6:1: something else");
  });

  it("leaves other errors alone", () => {
    const plain = new Error("boom");
    expect(placeError(plain, flags, { origins: {} })).toBe(plain);
  });
});

describe("describeReload", () => {
  it("says in one line what a reload did", () => {
    expect(
      describeReload(
        {
          started: ["ssh"],
          stopped: ["web"],
          restarted: [{ name: "db", keys: ["target_port"] }],
          unchanged: 2,
          failed: [],
        },
        [],
      ),
    ).toBe("started ssh, stopped web, restarted db (target_port), 2 unchanged");
    expect(
      describeReload({ started: [], stopped: [], restarted: [], unchanged: 3, failed: [] }, []),
    ).toBe("nothing changed (3 tunnels)");
    expect(
      describeReload({ started: [], stopped: [], restarted: [], unchanged: 1, failed: ["x"] }, [
        "log_level",
      ]),
    ).toBe("x failed to start (see above), applied log_level, 1 unchanged");
  });
});

describe("warnIfUnresolvable", () => {
  function capture() {
    const lines: string[] = [];
    const log = createLogger("multi-client", { write: (text) => lines.push(text) });
    return { lines, log };
  }

  it("warns once, in words, when a host name does not resolve", async () => {
    const { lines, log } = capture();
    const notFound = Object.assign(new Error("getaddrinfo ENOTFOUND nas.lan"), {
      code: "ENOTFOUND",
    });
    await warnIfUnresolvable("--target_host", "nas.lan", log, () => Promise.reject(notFound));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      / warn {2}multi-client: --target_host nas\.lan does not resolve \(no such host\); connections to it fail until it does\n$/,
    );
  });

  it("says nothing for a name that resolves, and looks up no IP address", async () => {
    const { lines, log } = capture();
    const asked: string[] = [];
    const lookup = (host: string) => {
      asked.push(host);
      return Promise.resolve({ address: "192.0.2.1", family: 4 });
    };
    await warnIfUnresolvable("--server_host", "vps.example", log, lookup);
    await warnIfUnresolvable("--server_host", "127.0.0.1", log, lookup);
    await warnIfUnresolvable("--server_host", "::1", log, lookup);
    expect(asked).toEqual(["vps.example"]);
    expect(lines).toEqual([]);
  });
});
