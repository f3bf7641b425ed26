/**
 * The targets, each checked against this run's medians: the measured
 * value, whether it is met, and if not by how much it is missed.
 */
import type { ConfigResults } from "../results.ts";
import { type MetricKey, metric } from "./metrics.ts";
import { pairwise, range } from "./stats.ts";
import type { Summary } from "./summary.ts";
import { atLeast, atMost, f, type TargetCheck, times, whyMissing } from "./target-check.ts";
import { checkToolTargets } from "./targets-tools.ts";

export type { TargetCheck } from "./target-check.ts";

const fwd = [
  { key: "tcp-forwarding", label: "tcp-forwarding" },
  { key: "user-pair", label: "user pair" },
  { key: "multi-pair", label: "multi pair" },
];

export function checkTargets(configs: readonly ConfigResults[], summary: Summary): TargetCheck[] {
  const byKey = new Map(configs.map((c) => [c.key, c]));
  const fig = (key: string, m: MetricKey) => summary[key]?.[m];
  const why = (key: string, m?: MetricKey) => whyMissing(byKey, key, m);
  const checks: TargetCheck[] = [];

  // Throughput.
  checks.push(
    atLeast(
      "tcp-forwarding 1 stream ≥ 0.85× direct",
      fig("tcp-forwarding", "tput1")?.ratio?.median,
      0.85,
      times,
      why("tcp-forwarding", "tput1"),
    ),
  );
  const versusSocat = range(
    pairwise(
      byKey.get("tcp-forwarding")?.values.tput1,
      byKey.get("socat")?.values.tput1,
      (a, b) => a / b,
    ),
  );
  checks.push(
    atLeast(
      "tcp-forwarding 1 stream ≥ 1.5× socat (default buffer)",
      versusSocat?.median,
      1.5,
      times,
      why("socat", "tput1") ?? why("tcp-forwarding", "tput1"),
    ),
  );
  for (const { key, label } of fwd.slice(1)) {
    checks.push(
      atLeast(
        `${label} 1 stream ≥ 0.5× direct`,
        fig(key, "tput1")?.ratio?.median,
        0.5,
        times,
        why(key, "tput1"),
      ),
    );
  }

  // Latency: added per hop against socat's (one hop).
  const socatAdded = fig("socat", "rtt64")?.added?.median;
  for (const { key, label } of fwd) {
    const perHop = fig(key, "rtt64")?.addedPerHop?.median;
    const target = `${label}: added latency per hop (64 B) within 10 % of socat's`;
    if (perHop === undefined || socatAdded === undefined) {
      checks.push({
        target,
        met: undefined,
        measured: why("socat", "rtt64") ?? why(key, "rtt64") ?? "not measured",
      });
      continue;
    }
    const check = atMost(target, perHop, socatAdded * 1.1, (n) => `${f(n, 1)} µs`);
    check.measured = `${f(perHop, 1)} µs per hop vs socat ${f(socatAdded, 1)} µs (${f(perHop / socatAdded)}×; limit ${f(socatAdded * 1.1, 1)} µs)`;
    checks.push(check);
  }
  for (const { key, label } of fwd) {
    const median = fig(key, "rtt64k")?.ratio?.median;
    const p99 = fig(key, "rtt64kp99")?.ratio?.median;
    const stalls = (byKey.get(key)?.values.rtt64kStalls ?? []).reduce<number>(
      (s, n) => s + (n ?? 0),
      0,
    );
    const worst = median === undefined || p99 === undefined ? undefined : Math.max(median, p99);
    const check = atMost(
      `${label}: 64 KiB round trips never stall (median and p99 within 2× of direct)`,
      worst,
      2,
      times,
      why(key, "rtt64k"),
    );
    if (worst !== undefined)
      check.measured = `median ${times(median!)}, p99 ${times(p99!)} direct; ${stalls} round trips ≥ 20 ms`;
    if (stalls > 0) {
      check.met = false;
      check.miss ??= `${stalls} stalls`;
    }
    checks.push(check);
  }

  // Connection rate.
  for (const { key, label } of fwd) {
    checks.push(
      atLeast(
        `${label}: connection rate ≥ 0.25× direct`,
        fig(key, "connRate")?.ratio?.median,
        0.25,
        times,
        why(key, "connRate"),
      ),
    );
  }

  // Memory.
  checks.push(
    atMost(
      "tcp-forwarding: ≤ 10 KB per idle relayed connection after traffic",
      fig("tcp-forwarding", "idleKb")?.value?.median,
      10,
      (n) => `${f(n, 1)} KB`,
      why("tcp-forwarding", "idleKb"),
    ),
  );
  for (const { key, label } of fwd) {
    checks.push(
      atMost(
        `${label}: RSS grows ≤ 16 MB under a stopped reader`,
        fig(key, "stalledMb")?.value?.median,
        16,
        (n) => `${f(n, 1)} MB`,
        why(key, "stalledMb"),
      ),
    );
  }

  // The legacy stand-in, against its drop-in replacement (the user pair, same two hops).
  const legacy = byKey.get("legacy-user");
  const legacyWhy = !legacy
    ? "legacy-user not run"
    : legacy.skipped
      ? `skipped: ${legacy.skipped}`
      : undefined;
  const stream = range(
    pairwise(byKey.get("user-pair")?.values.stream1, legacy?.values.stream1, (a, b) => a / b),
  );
  checks.push(
    atLeast(
      "user pair vs legacy: throughput (bench sender, 1 stream) ≥ 2×",
      stream?.median,
      2,
      times,
      legacyWhy ?? why("user-pair", "stream1"),
    ),
  );
  const compared: MetricKey[] = [
    "tput1",
    "tput4",
    "rtt64",
    "rtt64p99",
    "rtt64p99cold",
    "rtt64k",
    "rtt64kp99",
    "connRate",
    "ttfb",
    "idleKb",
    "stalledMb",
  ];
  for (const m of compared) {
    const def = metric(m);
    const ours = fig("user-pair", m)?.value?.median;
    const theirs = fig("legacy-user", m)?.value?.median;
    const target = `user pair beats legacy: ${def.title}`;
    if (ours === undefined || theirs === undefined) {
      const reason = legacyWhy ?? why("legacy-user", m) ?? why("user-pair", m) ?? "not measured";
      checks.push({ target, met: undefined, measured: reason });
      continue;
    }
    const met = def.better === "higher" ? ours > theirs : ours < theirs;
    const check: TargetCheck = {
      target,
      met,
      measured: `${f(ours, def.digits)} vs ${f(theirs, def.digits)} ${def.unit}`,
    };
    if (!met) check.miss = `worse by ${f(Math.abs(ours - theirs), def.digits)} ${def.unit}`;
    checks.push(check);
  }
  checks.push(...checkToolTargets(byKey, summary));
  return checks;
}
