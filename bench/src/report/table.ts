/**
 * The printed report, as Markdown (it is pasted into the README as is): an
 * overview of medians with their ratio to direct, one table per figure with
 * the range over repetitions, then the targets.
 */
import type { ConfigResults } from "../results.ts";
import { type Metric, metrics } from "./metrics.ts";
import type { Range } from "./stats.ts";
import type { Figure, Summary } from "./summary.ts";
import type { TargetCheck } from "./targets.ts";

function num(n: number, digits: number): string {
  return n.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

const ratio = (n: number) => `${n >= 100 ? num(n, 0) : num(n, 2)}×`;
const span = (r: Range, show: (n: number) => string) =>
  r.n > 1 ? `${show(r.min)}–${show(r.max)}` : "";

function markdown(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

function cell(figure: Figure | undefined, m: Metric): string {
  if (!figure?.value) return figure?.na ? "n/a" : "–";
  const value = num(figure.value.median, m.digits);
  return figure.ratio ? `${value} (${ratio(figure.ratio.median)})` : value;
}

function overview(configs: readonly ConfigResults[], summary: Summary): string {
  const shown = metrics.filter((m) => m.key !== "rtt64kStalls" && m.key !== "rtt64kp99");
  const header = ["configuration", ...shown.map((m) => `${shortName(m)} ${m.unit}`)];
  const rows = configs
    .filter((c) => !c.skipped)
    .map((c) => [c.label, ...shown.map((m) => cell(summary[c.key]?.[m.key], m))]);
  return markdown(header, rows);
}

function shortName(m: Metric): string {
  const names: Partial<Record<Metric["key"], string>> = {
    tput1: "1 stream",
    tput4: "4 streams",
    stream1: "bench 1 stream",
    cpuPerGb: "CPU",
    rtt64: "RTT 64 B",
    rtt64p99: "RTT 64 B p99",
    rtt64p99cold: "RTT 64 B p99 cold",
    rtt64k: "RTT 64 KiB",
    connRate: "conn rate",
    ttfb: "first byte",
    idleKb: "idle mem/conn",
    stalledMb: "stopped-reader growth",
  };
  return names[m.key] ?? m.title;
}

function detail(m: Metric, configs: readonly ConfigResults[], summary: Summary): string {
  const header = ["configuration", `median ${m.unit}`, "min–max"];
  if (m.perRep) header.push("× direct", "× direct min–max");
  if (m.latency) header.push("added µs", "added per hop µs");
  const rows = configs
    .filter((c) => !c.skipped)
    .map((c) => {
      const figure = summary[c.key]?.[m.key];
      if (!figure?.value) {
        const reason = figure?.na ? `n/a: ${figure.na}` : "–";
        return [c.label, reason, ...header.slice(2).map(() => "")];
      }
      const show = (n: number) => num(n, m.digits);
      const row = [c.label, show(figure.value.median), span(figure.value, show)];
      if (m.perRep) {
        row.push(
          figure.ratio ? ratio(figure.ratio.median) : "",
          figure.ratio ? span(figure.ratio, ratio) : "",
        );
      }
      if (m.latency) {
        row.push(
          figure.added ? num(figure.added.median, 1) : "",
          figure.addedPerHop ? num(figure.addedPerHop.median, 1) : "",
        );
      }
      return row;
    });
  const better = m.better === "higher" ? "higher is better" : "lower is better";
  return `**${m.title}** (${m.unit}, ${better})\n\n${markdown(header, rows)}`;
}

export function targetLines(checks: readonly TargetCheck[]): string {
  return checks
    .map((c) => {
      const mark = c.met === undefined ? "[n/a]   " : c.met ? "[met]   " : "[MISSED]";
      return `- ${mark} ${c.target}: ${c.measured}${c.miss ? ` — ${c.miss}` : ""}`;
    })
    .join("\n");
}

export function renderReport(
  configs: readonly ConfigResults[],
  summary: Summary,
  checks: readonly TargetCheck[],
  heading: string,
): string {
  const parts = [
    heading,
    "",
    "Medians, with the median ratio to direct in the same repetition:",
    "",
    overview(configs, summary),
  ];
  const skipped = configs.filter((c) => c.skipped);
  if (skipped.length) parts.push("", ...skipped.map((c) => `- skipped ${c.label}: ${c.skipped}`));
  for (const m of metrics) parts.push("", detail(m, configs, summary));
  const notes = configs.flatMap((c) => c.notes.map((n) => `- ${c.label}: ${n}`));
  if (notes.length) parts.push("", "Notes:", "", ...notes);
  const errors = configs.flatMap((c) => c.errors.map((e) => `- ${c.label}: ${e}`));
  if (errors.length) parts.push("", "Errors (measurements that failed):", "", ...errors);
  parts.push("", "Targets:", "", targetLines(checks));
  return parts.join("\n");
}
