/** Flags and wording that several fwd command lines share, defined once. */

export const EXIT_STATUS_EPILOG =
  "Exit status: 0 after Ctrl+C or a stop signal, 1 on a runtime failure, 2 on bad usage.";

export function bindHostFlag(describe = "Address to listen on") {
  return { kind: "host", default: "0.0.0.0", describe } as const;
}

export function bindPortFlag(port: number, describe = "Port to listen on") {
  return {
    kind: "listen-port",
    default: port,
    describe: `${describe} (0: any free port)`,
  } as const;
}

export function timeoutFlag(seconds: number, describe: string) {
  return { kind: "seconds", default: seconds, describe } as const;
}

export const handshakeTimeoutFlag = timeoutFlag(
  10,
  "Drop a client that has not sent its request within this many seconds",
);

export const idleTimeoutFlag = {
  kind: "seconds",
  describe: "Close a connection after this many seconds without traffic (default: never)",
} as const;

export const uniqueIdFlag = {
  kind: "string",
  default: "0000000000000000",
  describe: "This client's id, up to 16 characters (left-padded with 0)",
} as const;

/** Seconds from a flag as milliseconds for an option; an absent flag stays absent. */
export function toMs(seconds: number): number;
export function toMs(seconds: number | undefined): number | undefined;
export function toMs(seconds: number | undefined): number | undefined {
  return seconds === undefined ? undefined : Math.round(seconds * 1000);
}
