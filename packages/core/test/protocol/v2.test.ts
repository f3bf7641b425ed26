import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isFwdError } from "../../src/errors.js";
import { FirstFrameParser } from "../../src/protocol/first-frame.js";
import {
  decodeChallenge,
  decodeHello,
  decodeReply,
  decodeRequest,
  encodeChallenge,
  encodeFrame,
  encodeHello,
  encodeReply,
  encodeRequest,
  FrameType,
  replyFields,
  requestFields,
  V2_MAX_BODY,
  V2FrameParser,
} from "../../src/protocol/v2.js";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(isFwdError(err)).toBe(true);
    return (err as { code: string }).code;
  }
  return undefined;
}

const request = {
  kind: "connect" as const,
  host: "db.lan",
  port: 5432,
  uniqueId: "0000000000home",
};
const mac = Buffer.alloc(32, 7);
const requestFrame = encodeRequest(requestFields(request), mac);

describe("v2 frames", () => {
  it("has the documented header", () => {
    expect(encodeFrame(FrameType.HELLO, Buffer.from("ab")).toString("hex")).toBe(
      "465744020100026162",
    );
  });

  it.each(Array.from({ length: requestFrame.length + 1 }, (_, i) => i))(
    "parses a request split at byte %i, keeping what follows",
    (cut) => {
      const input = Buffer.concat([requestFrame, Buffer.from("next")]);
      const parser = new V2FrameParser();
      const first = parser.push(input.subarray(0, cut));
      const parsed = first ?? parser.push(input.subarray(cut));
      expect(parsed?.value.type).toBe(FrameType.REQUEST);
      expect(decodeRequest(parsed!.value.body)).toMatchObject({ ...request, mac });
      const end = cut < requestFrame.length ? input.length : cut;
      expect(parsed?.rest).toEqual(input.subarray(requestFrame.length, end));
    },
  );

  it("refuses an oversized body as soon as the header announces it", () => {
    const header = Buffer.from([0x46, 0x57, 0x44, 2, 3, 0xff, 0xff]);
    expect(codeOf(() => new V2FrameParser().push(header))).toBe("ERR_FWD_FRAME_TOO_LARGE");
    expect(codeOf(() => encodeFrame(FrameType.REQUEST, Buffer.alloc(V2_MAX_BODY + 1)))).toBe(
      "ERR_FWD_FRAME_TOO_LARGE",
    );
  });

  it("refuses a wrong magic at the first wrong byte", () => {
    expect(codeOf(() => new V2FrameParser().push(Buffer.from("FX")))).toBe("ERR_FWD_PROTOCOL");
  });

  it("reports a frame cut short by EOF", () => {
    const parser = new V2FrameParser();
    parser.push(requestFrame.subarray(0, 10));
    expect(codeOf(() => parser.end())).toBe("ERR_FWD_HANDSHAKE_CLOSED");
  });

  it("round-trips hello, challenge and reply", () => {
    const nonce = Buffer.alloc(16, 3);
    expect(decodeHello(encodeHello(nonce).subarray(7))).toEqual({ clientNonce: nonce });
    expect(decodeChallenge(encodeChallenge(nonce, true).subarray(7))).toEqual({
      serverNonce: nonce,
      authRequired: true,
    });
    const fields = replyFields({
      code: 3,
      port: 0,
      errno: "ECONNREFUSED",
      reason: "cannot connect",
    });
    expect(decodeReply(encodeReply(fields, mac).subarray(7))).toMatchObject({
      code: 3,
      port: 0,
      errno: "ECONNREFUSED",
      reason: "cannot connect",
      mac,
      fields,
    });
  });

  it("round-trips any request", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("connect" as const, "register" as const),
        fc.oneof(fc.domain(), fc.ipV4(), fc.ipV6(), fc.constant("")),
        fc.integer({ min: 0, max: 65535 }),
        fc.string({ maxLength: 16 }),
        (kind, host, port, uniqueId) => {
          const frame = encodeRequest(requestFields({ kind, host, port, uniqueId }), mac);
          const parsed = new V2FrameParser().push(frame);
          expect(decodeRequest(parsed!.value.body)).toMatchObject({ kind, host, port, uniqueId });
        },
      ),
    );
  });

  it("never crashes on random bytes: a frame, a coded error, or a wait for more", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1200 }), (bytes) => {
        for (const parser of [new V2FrameParser(), new FirstFrameParser()]) {
          try {
            const parsed = parser.push(bytes);
            if (parsed && "body" in (parsed.value as object)) {
              const body = (parsed.value as { body: Buffer }).body;
              for (const decode of [decodeHello, decodeChallenge, decodeRequest, decodeReply]) {
                try {
                  decode(body);
                } catch (err) {
                  expect(isFwdError(err)).toBe(true);
                }
              }
            }
          } catch (err) {
            expect(isFwdError(err)).toBe(true);
          }
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("decodes mutated request bodies into coded errors or other valid requests, never a crash", () => {
    const body = requestFrame.subarray(7);
    fc.assert(
      fc.property(
        fc.nat({ max: body.length - 1 }),
        fc.integer({ min: 0, max: 255 }),
        (offset, value) => {
          const mutated = Buffer.from(body);
          mutated[offset] = value;
          try {
            decodeRequest(mutated);
          } catch (err) {
            expect(isFwdError(err)).toBe(true);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("first frame", () => {
  it("tells legacy from v2 by the first byte", () => {
    const legacy = new FirstFrameParser().push(Buffer.from("<UVM>"));
    expect(legacy).toBeUndefined();
    const v2 = new FirstFrameParser().push(encodeHello(Buffer.alloc(16)));
    expect(v2?.value).toMatchObject({
      protocol: "v2",
      frame: { type: FrameType.HELLO, version: 2 },
    });
    expect(codeOf(() => new FirstFrameParser().push(Buffer.from("GET /")))).toBe(
      "ERR_FWD_PROTOCOL",
    );
  });
});
