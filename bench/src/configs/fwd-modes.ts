/**
 * The ways a user runs a fwd pair, as flags for its server and its client:
 * the legacy handshake (the default without a token), v2 with a token, and v2
 * with a token over TLS (the server's certificate pinned by its fingerprint
 * on the client). Each start gets a token and a certificate of its own.
 */
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { dirname } from "node:path";
import { makeCertificate } from "@fwd/testkit";
import type { FwdFlags } from "./launch.ts";

export interface FwdMode {
  /** Appended to the configuration's key ("" for the legacy default). */
  keySuffix: string;
  /** Appended to its label. */
  labelSuffix: string;
  protocol: "legacy" | "v2";
  tls: boolean;
  /** --heartbeat_interval 0 on both bins (heartbeats off: being added). */
  heartbeatOff?: boolean;
}

export const legacyMode: FwdMode = {
  keySuffix: "",
  labelSuffix: "",
  protocol: "legacy",
  tls: false,
};
export const v2Mode: FwdMode = {
  keySuffix: "-v2",
  labelSuffix: " v2+token",
  protocol: "v2",
  tls: false,
};
export const v2TlsMode: FwdMode = {
  keySuffix: "-v2-tls",
  labelSuffix: " v2+token+TLS",
  protocol: "v2",
  tls: true,
};
export const v2HeartbeatOffMode: FwdMode = {
  keySuffix: "-v2-hb-off",
  labelSuffix: " v2+token, heartbeats off",
  protocol: "v2",
  tls: false,
  heartbeatOff: true,
};

export const HEARTBEAT_FLAG = "heartbeat_interval";

/** The flags of one started pair, and the files to remove when it stops. */
export interface ModeFlags {
  server: FwdFlags;
  client: FwdFlags;
  cleanup(): void;
}

export async function modeFlags(mode: FwdMode): Promise<ModeFlags> {
  // The legacy default is what users run today: no flags at all.
  if (mode.protocol === "legacy") return { server: {}, client: {}, cleanup() {} };
  const token = randomBytes(24).toString("base64url");
  const server: FwdFlags = { token };
  const client: FwdFlags = { protocol: "v2", token };
  if (mode.heartbeatOff) server[HEARTBEAT_FLAG] = client[HEARTBEAT_FLAG] = 0;
  if (!mode.tls) return { server, client, cleanup() {} };
  const certificate = await makeCertificate();
  server.tls_cert = certificate.certFile;
  server.tls_key = certificate.keyFile;
  client.tls_fingerprint = certificate.fingerprint;
  return {
    server,
    client,
    cleanup: () => rmSync(dirname(certificate.certFile), { recursive: true, force: true }),
  };
}
