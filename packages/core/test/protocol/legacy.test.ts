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

const OPEN = Buffer.from("<UVM>");
const CLOSE = Buffer.from("</UVM>");

/** What a parse did: its result, or the error it threw. */
function outcomeOf<T>(parse: () => T): { parsed: T } | { error: unknown } {
  try {
    return { parsed: parse() };
  } catch (error) {
    expect(isFwdError(error)).toBe(true);
    return { error };
  }
}

/** The first offset where `input` differs from the byte `expected` names (undefined: any byte). */
function firstMismatch(
  input: Buffer,
  expected: (i: number) => number | undefined,
): number | undefined {
  for (let i = 0; i < input.length; i++) {
    const want = expected(i);
    if (want !== undefined && input[i] !== want) return i;
  }
  return undefined;
}

const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((b) => Buffer.from(b));

/** Noise, real requests with bytes after them, real ones cut short, and one-byte mutants. */
const realRequests = fc
  .tuple(fc.ipV4(), fc.integer({ min: 0, max: 65535 }), fc.string({ maxLength: 16 }), bytes(40))
  .filter(([, , id]) => Buffer.byteLength(id) <= 16)
  .map(([host, port, uniqueId, tail]) =>
    Buffer.concat([encodeLegacyRequest({ host, port, uniqueId }), tail]),
  );
const requestInputs = fc.oneof(
  bytes(80),
  realRequests,
  fc.tuple(realRequests, fc.nat({ max: 34 })).map(([frame, n]) => frame.subarray(0, n)),
  fc
    .tuple(realRequests, fc.nat({ max: 34 }), fc.integer({ min: 0, max: 255 }))
    .map(([frame, at, value]) => Buffer.from(frame).fill(value, at, at + 1)),
);

/** The same for replies. */
const realReplies = fc
  .tuple(fc.constantFrom(LEGACY_OK, LEGACY_EX), bytes(20))
  .map(([reply, tail]) => Buffer.concat([reply, tail]));
const replyInputs = fc.oneof(
  bytes(30),
  realReplies,
  fc.tuple(realReplies, fc.nat({ max: 12 })).map(([reply, n]) => reply.subarray(0, n)),
  fc
    .tuple(realReplies, fc.nat({ max: 12 }), fc.integer({ min: 0, max: 255 }))
    .map(([reply, at, value]) => Buffer.from(reply).fill(value, at, at + 1)),
);

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

  it("on any bytes, cut anywhere: parses real frames, waits on prefixes, refuses the rest", () => {
    const seen = { parsed: 0, waiting: 0, refused: 0 };
    fc.assert(
      fc.property(requestInputs, fc.array(fc.nat({ max: 80 }), { maxLength: 4 }), (input, cuts) => {
        const bounds = [...cuts].sort((a, b) => a - b).map((c) => Math.min(c, input.length));
        const outcome = outcomeOf(() => feed(new LegacyRequestParser(), input, bounds));
        const bad = firstMismatch(input, (i) =>
          i < 5 ? OPEN[i] : i >= 29 && i < 35 ? CLOSE[i - 29] : undefined,
        );
        if (bad !== undefined) {
          seen.refused++;
          expect(outcome).toMatchObject({
            error: { code: "ERR_FWD_PROTOCOL", message: expect.stringContaining(`offset ${bad}`) },
          });
        } else if (input.length < 35) {
          seen.waiting++;
          expect(outcome).toEqual({ parsed: undefined });
        } else {
          seen.parsed++;
          // The rest is what followed the frame in the chunk that completed it.
          const end = [...bounds, input.length].find((b) => b >= 35)!;
          expect(outcome).toEqual({
            parsed: {
              value: decodeLegacyRequest(input.subarray(0, 35)),
              rest: input.subarray(35, end),
            },
          });
        }
      }),
      { numRuns: 2000 },
    );
    // Each branch above ran: the property checked real frames, not just noise.
    expect(Math.min(seen.parsed, seen.waiting, seen.refused)).toBeGreaterThan(100);
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

  it("on any bytes: parses OK and EX, waits on their prefixes, refuses the rest", () => {
    const seen = { parsed: 0, waiting: 0, refused: 0 };
    fc.assert(
      fc.property(replyInputs, (input) => {
        const outcome = outcomeOf(() => new LegacyReplyParser().push(input));
        // Byte 5 chooses between the two replies: O for OK, anything else must match EX.
        const reference = input[5] === 0x45 ? LEGACY_EX : LEGACY_OK;
        const bad = firstMismatch(input, (i) => reference[i]);
        if (bad !== undefined) {
          seen.refused++;
          expect(outcome).toMatchObject({
            error: { code: "ERR_FWD_PROTOCOL", message: expect.stringContaining(`offset ${bad}`) },
          });
        } else if (input.length < 13) {
          seen.waiting++;
          expect(outcome).toEqual({ parsed: undefined });
        } else {
          seen.parsed++;
          expect(outcome).toEqual({
            parsed: { value: reference === LEGACY_OK ? "ok" : "ex", rest: input.subarray(13) },
          });
        }
      }),
      { numRuns: 2000 },
    );
    expect(Math.min(seen.parsed, seen.waiting, seen.refused)).toBeGreaterThan(100);
  });
});
