import { X509Certificate } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import selfsigned from "selfsigned";

/** A self-signed certificate made for one test run, in memory and on disk. */
export interface TestCertificate {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
  /** "sha256:AB:CD:…", as --tls_fingerprint takes it. */
  fingerprint: string;
}

/** Makes a certificate for localhost, 127.0.0.1 and ::1. */
export async function makeCertificate(): Promise<TestCertificate> {
  const pems = await selfsigned.generate([{ name: "commonName", value: "localhost" }], {
    notAfterDate: new Date(Date.now() + 24 * 3600 * 1000),
    keyType: "ec",
    extensions: [
      { name: "basicConstraints", cA: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
          { type: 7, ip: "::1" },
        ],
      },
    ],
  });
  const dir = mkdtempSync(join(tmpdir(), "fwd-tls-"));
  const certFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  writeFileSync(certFile, pems.cert);
  writeFileSync(keyFile, pems.private);
  const fingerprint = `sha256:${new X509Certificate(pems.cert).fingerprint256}`;
  return { cert: pems.cert, key: pems.private, certFile, keyFile, fingerprint };
}
