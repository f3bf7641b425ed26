/** Flags and wording that several fwd command lines share, defined once. */
import { defaults } from "@fwd/core";
import { LOG_FORMATS, LOG_LEVELS } from "./logger.js";

export const EXIT_STATUS_EPILOG =
  "Exit status: 0 after Ctrl+C or a stop signal, 1 on a runtime failure, 2 on bad usage.";

/** Seconds for a default kept in milliseconds by @fwd/core. */
function seconds(ms: number): number {
  return ms / 1000;
}

export function bindHostFlag(describe = "Address to listen on", option = "bind.host") {
  return { kind: "host", default: "0.0.0.0", describe, option } as const;
}

export function bindPortFlag(port: number, describe = "Port to listen on", option = "bind.port") {
  return {
    kind: "listen-port",
    default: port,
    describe: `${describe} (0: any free port)`,
    option,
  } as const;
}

/** A duration flag in seconds whose default is a @fwd/core default in ms. */
export function timeoutFlag(defaultMs: number, describe: string, option: string) {
  return { kind: "seconds", default: seconds(defaultMs), describe, option } as const;
}

export const connectTimeoutFlag = (describe: string) =>
  timeoutFlag(defaults.connectTimeoutMs, describe, "connectTimeoutMs");

export const handshakeTimeoutFlag = timeoutFlag(
  defaults.handshakeTimeoutMs,
  "Drop a client that has not sent its request within this many seconds",
  "handshakeTimeoutMs",
);

export const idleTimeoutFlag = {
  kind: "seconds",
  describe: "Close a connection after this many seconds without traffic (default: never)",
  option: "idleTimeoutMs",
} as const;

export const uniqueIdFlag = {
  kind: "string",
  default: defaults.uniqueId,
  describe: "This client's id, up to 16 characters (left-padded with 0)",
  option: "uniqueId",
} as const;

export const heartbeatFlag = {
  kind: "seconds-or-off",
  default: seconds(defaults.heartbeatIntervalMs),
  describe:
    "Heartbeats on idle v2 links every this many seconds; a peer silent for three is dropped (0: off)",
  option: "heartbeatIntervalMs",
} as const;

/** How long a stop waits for open connections before it closes them. */
export const DEFAULT_DRAIN_TIMEOUT_S = 30;

export const lifecycleFlags = {
  drain_timeout: {
    kind: "seconds",
    default: DEFAULT_DRAIN_TIMEOUT_S,
    describe:
      "On Ctrl+C or SIGTERM, stop accepting and let open connections finish for up to this many seconds",
  },
} as const;

/** How much the program says, and in what shape (program-wide; a reload applies them live). */
export const logFlags = {
  log_level: {
    kind: "choice",
    choices: LOG_LEVELS,
    default: "info",
    describe:
      "Lines written on stderr: error, warn, info, or debug (every connection, and the fwd:* debug lines)",
  },
  log_format: {
    kind: "choice",
    choices: LOG_FORMATS,
    default: "text",
    describe: "text: time, level, program and message per line; json: one JSON object per line",
  },
} as const;

/** The status page (program-wide; off unless --status_port is given). */
export const statusFlags = {
  status_port: {
    kind: "listen-port",
    describe:
      "Serve a status page, /status.json and Prometheus /metrics on this port (0: any free port; default: off)",
    option: "status.port",
  },
  status_host: {
    kind: "host",
    default: "127.0.0.1",
    describe: "Address of the status page; anything but loopback needs --status_token",
    option: "status.host",
  },
  status_token: {
    kind: "string",
    env: "FWD_STATUS_TOKEN",
    describe:
      "Token the status page asks for (Authorization: Bearer, or ?token=); use another than --token",
    option: "status.token",
  },
} as const;

/**
 * The flags every program has besides its own: stop, logs, status page.
 * All program-wide.
 */
export const commonFlags = { ...lifecycleFlags, ...logFlags, ...statusFlags } as const;

/** Program-wide keys a running program applies without restarting any tunnel. */
export const LIVE_KEYS: readonly string[] = [
  "drain_timeout",
  ...Object.keys(logFlags),
  ...Object.keys(statusFlags),
];

/** The drain timeout of parsed flags, or the default for programs without the flag. */
export function drainTimeoutSeconds(values: object): number {
  const value = (values as { drain_timeout?: unknown }).drain_timeout;
  return typeof value === "number" ? value : DEFAULT_DRAIN_TIMEOUT_S;
}

/** Seconds from a flag as milliseconds for an option; an absent flag stays absent. */
export function toMs(seconds: number): number;
export function toMs(seconds: number | undefined): number | undefined;
export function toMs(seconds: number | undefined): number | undefined {
  return seconds === undefined ? undefined : Math.round(seconds * 1000);
}
