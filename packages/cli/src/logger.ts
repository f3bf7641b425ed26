/**
 * The lines a program writes on stderr: each starts with the local time, the
 * level and the program (and tunnel) it is about, so a log read weeks later
 * says when and where. `--log_format json` writes one JSON object per line
 * instead, for log collectors.
 */

export const LOG_LEVELS = ["error", "warn", "info", "debug"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ["text", "json"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LogSettings {
  level: LogLevel;
  format: LogFormat;
}

/** What a line may carry besides its message. */
export interface LogFields {
  /** The stable error code (ERR_FWD_*), for errors that have one. */
  code?: string | undefined;
}

export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  /** Whether lines of `level` are written now: skip building lines nobody sees. */
  enabled(level: LogLevel): boolean;
  /** The same log, every line about tunnel `name` ("multi-client[rdp]: …"). */
  forTunnel(name: string): Logger;
}

/** The log of a whole program: its settings can change while it runs (a reload). */
export interface ProgramLogger extends Logger {
  readonly settings: LogSettings;
  configure(settings: LogSettings): void;
  /** A `debug` package line: written whatever the level, since DEBUG=… asked for it. */
  debugOutput(message: string): void;
}

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export interface LoggerOptions {
  write?: (text: string) => void;
  settings?: LogSettings;
  /** The clock, for tests. */
  now?: () => Date;
  /** Told of every configure() (the runner widens the debug namespaces with it). */
  onConfigure?: (settings: LogSettings) => void;
}

/**
 * A program's log. A message of several lines (a config file's problems)
 * becomes several log lines, each with its own prefix.
 */
export function createLogger(program: string, options: LoggerOptions = {}): ProgramLogger {
  const write = options.write ?? ((text: string) => process.stderr.write(text));
  const now = options.now ?? (() => new Date());
  let settings: LogSettings = options.settings ?? { level: "info", format: "text" };

  const emit = (
    level: LogLevel,
    tunnel: string | undefined,
    message: string,
    fields?: LogFields,
  ) => {
    if (RANK[level] <= RANK[settings.level]) format(level, tunnel, message, fields);
  };
  const format = (
    level: LogLevel,
    tunnel: string | undefined,
    message: string,
    fields?: LogFields,
  ) => {
    const time = now();
    let text = "";
    for (const line of message.split("\n")) {
      text +=
        settings.format === "json"
          ? `${jsonLine(time, level, program, tunnel, line, fields)}\n`
          : `${localTime(time)} ${level.padEnd(5)} ${program}${tunnel === undefined ? "" : `[${tunnel}]`}: ${line}\n`;
    }
    write(text);
  };

  const loggerFor = (tunnel: string | undefined): Logger => ({
    error: (message, fields) => emit("error", tunnel, message, fields),
    warn: (message, fields) => emit("warn", tunnel, message, fields),
    info: (message, fields) => emit("info", tunnel, message, fields),
    debug: (message, fields) => emit("debug", tunnel, message, fields),
    enabled: (level) => RANK[level] <= RANK[settings.level],
    forTunnel: (name) => loggerFor(name),
  });

  return {
    ...loggerFor(undefined),
    get settings() {
      return settings;
    },
    configure(next) {
      settings = { ...next };
      options.onConfigure?.(settings);
    },
    debugOutput: (message) => format("debug", undefined, message),
  };
}

function jsonLine(
  time: Date,
  level: LogLevel,
  program: string,
  tunnel: string | undefined,
  message: string,
  fields: LogFields | undefined,
): string {
  return JSON.stringify({
    time: time.toISOString(),
    level,
    program,
    ...(tunnel === undefined ? {} : { tunnel }),
    message,
    ...(fields?.code === undefined ? {} : { code: fields.code }),
  });
}

const two = (n: number) => String(n).padStart(2, "0");

/** "2026-11-29 18:15:02.123" in local time, as people read their own clock. */
export function localTime(time: Date): string {
  return (
    `${time.getFullYear()}-${two(time.getMonth() + 1)}-${two(time.getDate())} ` +
    `${two(time.getHours())}:${two(time.getMinutes())}:${two(time.getSeconds())}.` +
    String(time.getMilliseconds()).padStart(3, "0")
  );
}

/** 1234567 → "1.2 MB": byte counts people read at a glance. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = "B";
  for (const next of units) {
    if (value < 1000) break;
    value /= 1000;
    unit = next;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${unit}`;
}

/** "1 connection", "3 connections". */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
