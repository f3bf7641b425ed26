/**
 * A strict reader of the Prometheus text exposition format (0.0.4), enough
 * to check what /metrics serves: every line must be a comment, HELP, TYPE
 * or a well-formed sample, and every sample's family must have a TYPE.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
  /** The value of one series; undefined when absent. */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`);
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;

export function parsePrometheusText(text: string): Exposition {
  if (!text.endsWith("\n")) throw new Error("exposition must end with a newline");
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const [index, line] of text.slice(0, -1).split("\n").entries()) {
    const where = `line ${index + 1}: ${line}`;
    if (line === "") continue;
    if (line.startsWith("#")) {
      const meta = new RegExp(`^# (HELP|TYPE) (${NAME}) (.*)$`).exec(line);
      if (meta?.[1] === "TYPE") {
        if (!/^(counter|gauge|histogram|summary|untyped)$/.test(meta[3]!)) {
          throw new Error(`bad type on ${where}`);
        }
        types.set(meta[2]!, meta[3]!);
      }
      continue;
    }
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a sample: ${where}`);
    const [, name, labelText = "", rawValue] = match;
    const value = parseValue(rawValue!, where);
    const family = familyOf(name!, types);
    if (!family) throw new Error(`sample without a TYPE: ${where}`);
    samples.push({ name: name!, labels: parseLabels(labelText, where), value });
  }
  return {
    types,
    samples,
    value(name, labels = {}) {
      const want = Object.entries(labels);
      return samples.find(
        (s) =>
          s.name === name &&
          want.every(([k, v]) => s.labels[k] === v) &&
          Object.keys(s.labels).length === want.length,
      )?.value;
    },
  };
}

/** As Prometheus reads values (Go's ParseFloat): NaN and Inf in any case. */
function parseValue(raw: string, where: string): number {
  const lower = raw.toLowerCase();
  if (lower === "+inf" || lower === "inf") return Number.POSITIVE_INFINITY;
  if (lower === "-inf") return Number.NEGATIVE_INFINITY;
  if (lower === "nan") return Number.NaN;
  const value = Number(raw);
  if (raw === "" || Number.isNaN(value)) throw new Error(`bad value on ${where}`);
  return value;
}

function parseLabels(text: string, where: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const match = LABEL.exec(text);
    if (!match) throw new Error(`bad labels on ${where}`);
    labels[match[1]!] = match[2]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    if (match[3] === "") break;
  }
  return labels;
}

/** The family a sample belongs to: histograms and summaries add suffixes. */
function familyOf(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name;
  for (const suffix of ["_bucket", "_sum", "_count", "_total", "_created"]) {
    const base = name.slice(0, -suffix.length);
    if (name.endsWith(suffix) && types.has(base)) return base;
  }
  return undefined;
}
