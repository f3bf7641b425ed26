import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { macMatches, requestMac, resolveToken, Token } from "../src/auth.js";

describe("tokens", () => {
  const nonceA = Buffer.alloc(16, 1);
  const nonceB = Buffer.alloc(16, 2);
  const fields = Buffer.from("request fields");

  it("binds the MAC to the token, both nonces and the request", () => {
    const mac = requestMac(Token.from("s3cret"), nonceA, nonceB, fields);
    expect(macMatches(mac, requestMac(Token.from("s3cret"), nonceA, nonceB, fields))).toBe(true);
    expect(macMatches(mac, requestMac(Token.from("other"), nonceA, nonceB, fields))).toBe(false);
    expect(macMatches(mac, requestMac(Token.from("s3cret"), nonceB, nonceB, fields))).toBe(false);
    expect(macMatches(mac, requestMac(Token.from("s3cret"), nonceA, nonceA, fields))).toBe(false);
    expect(
      macMatches(mac, requestMac(Token.from("s3cret"), nonceA, nonceB, Buffer.from("other"))),
    ).toBe(false);
    expect(macMatches(undefined, mac)).toBe(false);
    expect(macMatches(mac.subarray(1), mac)).toBe(false);
  });

  it("never shows the secret when logged", () => {
    const token = Token.from("s3cret");
    expect(inspect(token)).not.toContain("s3cret");
    expect(JSON.stringify({ token })).not.toContain("s3cret");
  });

  it("takes token first, then tokenFile, then the environment", () => {
    const dir = mkdtempSync(join(tmpdir(), "fwd-token-"));
    const file = join(dir, "token");
    writeFileSync(file, "from-file\n");
    const mac = (token: Token | undefined) => token?.mac("x").toString("hex");
    expect(mac(resolveToken({ token: "flag", tokenFile: file, env: "env" }))).toBe(
      mac(Token.from("flag")),
    );
    expect(mac(resolveToken({ tokenFile: file, env: "env" }))).toBe(mac(Token.from("from-file")));
    expect(mac(resolveToken({ env: "env" }))).toBe(mac(Token.from("env")));
    expect(resolveToken({ env: "" })).toBeUndefined();
    expect(() => resolveToken({ tokenFile: join(dir, "missing") })).toThrow(
      /`tokenFile` cannot be read/,
    );
    expect(() => resolveToken({ token: "" })).toThrow(/`token` is empty/);
  });
});
