import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isFwdError } from "../../src/errors.js";
import type { FrameParser, Parsed } from "../../src/protocol/frame-parser.js";
import {
  decodeLegacyRequest,
  encodeLegacyRequest,
  LEGACY_EX,
  LEGACY_OK,
  LegacyReplyParser,
  LegacyRequestParser,
  padUniqueId,
} from "../../src/protocol/legacy.js";

// 192.168.1.200:3389, id "0000000000000abc", as the Python client packs it.
const REQUEST_HEX =
  "3c55564d3e" + "c0a801c8" + "3d0d0000" + "30303030303030303030303030616263" + "3c2f55564d3e";
const request = Buffer.from(REQUEST_HEX, "hex");
const expected = { host: "192.168.1.200", port: 3389, uniqueId: "0000000000000abc" };

/** Feeds `input` in pieces cut at `cuts`; returns the first complete parse. */
function feed<T>(parser: FrameParser<T>, input: Buffer, cuts: number[]): Parsed<T> | undefined {
  let from = 0;
  for (const cut of [...cuts, input.length]) {
    const parsed = parser.push(input.subarray(from, cut));
    from = cut;
    if (parsed) return parsed;
  }
  return undefined;
}

function expectCoded(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (err) {
    expect(isFwdError(err)).toBe(true);
    expect((err as { code: string }).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}`);
}

describe("legacy request", () => {
  it("encodes byte for byte as the legacy client does", () => {
    expect(encodeLegacyRequest({ host: "192.168.1.200", port: 3389, uniqueId: "abc" })).toEqual(
      request,
    );
  });

  it("decodes the fixture", () => {
    expect(decodeLegacyRequest(request)).toEqual(expected);
  });

  it.each(Array.from({ length: request.length + 1 }, (_, i) => i))(
    "parses a frame split at byte %i, keeping the bytes after it",
    (cut) => {
      const trailing = Buffer.from("RDP bytes that follow");
      const input = Buffer.concat([request, trailing]);
      const parsed = feed(new LegacyRequestParser(), input, [cut]);
      expect(parsed?.value).toEqual(expected);
      // The rest is what came after the frame in the chunk that completed it.
      const end = cut < request.length ? input.length : cut;
      expect(parsed?.rest).toEqual(input.subarray(request.length, end));
    },
  );

  it("parses a frame fed one byte at a time", () => {
    const parser = new LegacyRequestParser();
    for (let i = 0; i < request.length - 1; i++) {
      expect(parser.push(request.subarray(i, i + 1))).toBeUndefined();
    }
    expect(parser.push(request.subarray(request.length - 1))).toEqual({
      value: expected,
      rest: Buffer.alloc(0),
    });
  });

  it.each([0, 1, 4, 29, 34])("fails on the first wrong magic byte (offset %i)", (offset) => {
    const bad = Buffer.from(request);
    bad[offset] = 0x21;
    const parser = new LegacyRequestParser();
    if (offset > 0) expect(parser.push(bad.subarray(0, offset))).toBeUndefined();
    expectCoded(() => parser.push(bad.subarray(offset)), "ERR_FWD_PROTOCOL");
  });

  it("refuses an HTTP request at the first byte", () => {
    expectCoded(
      () => new LegacyRequestParser().push(Buffer.from("GET / HTTP/1.1\r\n")),
      "ERR_FWD_PROTOCOL",
    );
  });

  it("reports a frame cut short by EOF", () => {
    const parser = new LegacyRequestParser();
    parser.push(request.subarray(0, 20));
    expectCoded(() => parser.end(), "ERR_FWD_HANDSHAKE_CLOSED");
  });

  it("refuses input after it has finished", () => {
    const parser = new LegacyRequestParser();
    parser.push(request);
    expectCoded(() => parser.push(Buffer.from("x")), "ERR_FWD_PROTOCOL");
  });

  it("refuses to decode an oversized or short buffer", () => {
    expectCoded(
      () => decodeLegacyRequest(Buffer.concat([request, Buffer.from("x")])),
      "ERR_FWD_FRAME_TOO_LARGE",
    );
    expectCoded(() => decodeLegacyRequest(request.subarray(0, 34)), "ERR_FWD_PROTOCOL");
  });

  it("carries negative and large int32 ports as sent", () => {
    const frame = Buffer.from(request);
    frame.writeInt32LE(-1, 9);
    expect(decodeLegacyRequest(frame).port).toBe(-1);
    frame.writeInt32LE(70000, 9);
    expect(decodeLegacyRequest(frame).port).toBe(70000);
  });

  it("only encodes what the frame can carry", () => {
    expectCoded(
      () => encodeLegacyRequest({ host: "db.lan", port: 1, uniqueId: "" }),
      "ERR_FWD_INVALID_ARG",
    );
    expectCoded(
      () => encodeLegacyRequest({ host: "::1", port: 1, uniqueId: "" }),
      "ERR_FWD_INVALID_ARG",
    );
    expectCoded(
      () => encodeLegacyRequest({ host: "1.2.3.4", port: 70000, uniqueId: "" }),
      "ERR_FWD_INVALID_ARG",
    );
    expectCoded(
      () => encodeLegacyRequest({ host: "1.2.3.4", port: 1, uniqueId: "12345678901234567" }),
      "ERR_FWD_INVALID_ARG",
    );
  });

  it("pads ids to 16 bytes with leading zeros and refuses longer ones", () => {
    expect(padUniqueId("")).toBe("0000000000000000");
    expect(padUniqueId("abc")).toBe("0000000000000abc");
    expect(padUniqueId("0123456789abcdef")).toBe("0123456789abcdef");
    expect(Buffer.byteLength(padUniqueId("héllo"))).toBe(16);
    expectCoded(() => padUniqueId("0123456789abcdefg"), "ERR_FWD_INVALID_ARG");
    expectCoded(() => padUniqueId("ééééééééé"), "ERR_FWD_INVALID_ARG");
  });

  it("round-trips any IPv4, port and ASCII id", () => {
    fc.assert(
      fc.property(
        fc.ipV4(),
        fc.integer({ min: 0, max: 65535 }),
        fc.string({ maxLength: 16, unit: fc.constantFrom(..."abcdefXYZ0123456789-_".split("")) }),
        (host, port, id) => {
          const frame = encodeLegacyRequest({ host, port, uniqueId: id });
          expect(frame).toHaveLength(35);
          expect(decodeLegacyRequest(frame)).toEqual({ host, port, uniqueId: padUniqueId(id) });
        },
      ),
    );
  });

  it("never crashes on random bytes and accepts only real frames", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 80 }),
        fc.array(fc.nat({ max: 80 }), { maxLength: 4 }),
        (bytes, cuts) => {
          const input = Buffer.from(bytes);
          let parsed: Parsed<unknown> | undefined;
          try {
            parsed = feed(
              new LegacyRequestParser(),
              input,
              [...cuts].sort((a, b) => a - b).map((c) => Math.min(c, input.length)),
            );
          } catch (err) {
            expect(isFwdError(err)).toBe(true);
            return;
          }
          if (!parsed) {
            expect(input.length).toBeLessThan(35);
            return;
          }
          const frame = input.subarray(0, 35);
          expect(frame.subarray(0, 5).toString("latin1")).toBe("<UVM>");
          expect(frame.subarray(29, 35).toString("latin1")).toBe("</UVM>");
          expect(parsed.rest).toEqual(input.subarray(35, 35 + parsed.rest.length));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("decodes mutated frames only while both magics are intact", () => {
    fc.assert(
      fc.property(fc.nat({ max: 34 }), fc.integer({ min: 0, max: 255 }), (offset, value) => {
        const frame = Buffer.from(request);
        frame[offset] = value;
        const magicIntact = offset < 5 || offset >= 29 ? value === request[offset] : true;
        let ok = false;
        try {
          ok = new LegacyRequestParser().push(frame) !== undefined;
        } catch (err) {
          expect(isFwdError(err)).toBe(true);
        }
        expect(ok).toBe(magicIntact);
      }),
    );
  });
});

describe("legacy reply", () => {
  it.each([
    ["OK", LEGACY_OK, "ok"],
    ["EX", LEGACY_EX, "ex"],
  ] as const)("parses %s split at every byte", (_, reply, value) => {
    for (let cut = 0; cut < reply.length; cut++) {
      const parsed = feed(new LegacyReplyParser(), Buffer.concat([reply, Buffer.from("data")]), [
        cut,
      ]);
      expect(parsed?.value).toBe(value);
      expect(parsed?.rest.toString()).toBe("data");
    }
  });

  it.each(["<UVM>OX</UVM>", "<UVM>EK</UVM>", "<UVM>NO</UVM>", "<UVM>OK</UVX>", "HTTP/1.1 200 "])(
    "refuses %j",
    (text) => {
      expectCoded(() => new LegacyReplyParser().push(Buffer.from(text)), "ERR_FWD_PROTOCOL");
    },
  );

  it("never crashes on random bytes and accepts only OK or EX", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 30 }), (bytes) => {
        const input = Buffer.from(bytes);
        try {
          const parsed = new LegacyReplyParser().push(input);
          if (parsed) {
            const head = input.subarray(0, 13);
            expect(head.equals(LEGACY_OK) || head.equals(LEGACY_EX)).toBe(true);
          }
        } catch (err) {
          expect(isFwdError(err)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
