import { describe, expect, it } from "vitest";
import { normalizeFingerprint } from "../src/tls.js";

const HEX = "E1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F90";
const PAIRS = HEX.match(/../g)!.join(":");

describe("normalizeFingerprint", () => {
  it.each([
    [`sha256:${PAIRS}`],
    [`SHA256:${PAIRS.toLowerCase()}`],
    [HEX],
    [PAIRS],
    // What `openssl x509 -noout -fingerprint -sha256` prints: OpenSSL 3, then 1.1.
    [`sha256 Fingerprint=${PAIRS}`],
    [`SHA256 Fingerprint=${PAIRS}\n`],
    [`  sha256 fingerprint = ${PAIRS}  `],
  ])("reads %j", (pin) => {
    expect(normalizeFingerprint(pin)).toBe(PAIRS);
  });

  it.each([
    ["sha256:12"],
    [`sha1 Fingerprint=${PAIRS}`],
    [`Fingerprint=${PAIRS}`],
    [`sha256 Fingerprint=${PAIRS}:AB`],
  ])("refuses %j", (pin) => {
    expect(() => normalizeFingerprint(pin)).toThrow(/`tls.fingerprint` must be a SHA-256/);
  });
});
