/** Short human lines on stderr: start, stop and errors. Detail goes to `debug`. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function createLogger(
  name: string,
  write: (line: string) => void = (line) => process.stderr.write(line),
): Logger {
  return {
    info: (message) => write(`${name}: ${message}\n`),
    warn: (message) => write(`${name}: warning: ${message}\n`),
    error: (message) => write(`${name}: error: ${message}\n`),
  };
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
