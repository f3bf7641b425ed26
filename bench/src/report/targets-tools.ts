/**
 * The targets against the tools users compare fwd with (ssh -L / -R with
 * aes128-gcm), and what two optional features may cost (the status page,
 * heartbeats). Each compares two configurations repetition by repetition
 * (their ratio in the same repetition, then the median), like every ratio to
 * direct, so a drift of the machine falls on both alike.
 */
import { allConfigs } from "../configs/index.ts";
import type { ConfigResults } from "../results.ts";
import { type MetricKey, metric } from "./metrics.ts";
import { pairwise, range } from "./stats.ts";
import type { Summary } from "./summary.ts";
import { atLeast, atMost, f, type TargetCheck, times, whyMissing } from "./target-check.ts";

const SSH_L = "ssh-L-aes128";
const SSH_R = "ssh-R-aes128";

/** Every mode a user runs each pair in (fwd-modes.ts), and the ssh it is compared with. */
const pairModes = [
  { key: "user-pair", ssh: SSH_L },
  { key: "user-pair-v2", ssh: SSH_L },
  { key: "user-pair-v2-tls", ssh: SSH_L },
  { key: "multi-pair", ssh: SSH_R },
  { key: "multi-pair-v2", ssh: SSH_R },
  { key: "multi-pair-v2-tls", ssh: SSH_R },
];

interface Comparison {
  target: string;
  ours: string;
  theirs: string;
  metric: MetricKey;
  /** ours / theirs must be at least (atLeast) or at most (atMost) this. */
  goal: number;
  direction: "atLeast" | "atMost";
}

export function checkToolTargets(
  byKey: ReadonlyMap<string, ConfigResults>,
  summary: Summary,
): TargetCheck[] {
  // By the configuration's own label, run or not.
  const label = (key: string) => allConfigs.find((c) => c.key === key)?.label ?? key;

  const compare = ({ target, ours, theirs, metric: m, goal, direction }: Comparison) => {
    const ratio = range(
      pairwise(byKey.get(ours)?.values[m], byKey.get(theirs)?.values[m], (a, b) =>
        b > 0 ? a / b : Number.NaN,
      ),
    )?.median;
    const why = whyMissing(byKey, ours, m) ?? whyMissing(byKey, theirs, m);
    const check = (direction === "atLeast" ? atLeast : atMost)(target, ratio, goal, times, why);
    const a = summary[ours]?.[m]?.value?.median;
    const b = summary[theirs]?.[m]?.value?.median;
    if (ratio !== undefined && a !== undefined && b !== undefined) {
      const def = metric(m);
      const unit = def.unit;
      check.measured = `${times(ratio)} in the same repetition, limit ${times(goal)} (medians ${f(a, def.digits)} vs ${f(b, def.digits)} ${unit})`;
    }
    return check;
  };

  const checks: TargetCheck[] = [];

  // Throughput: fwd over TLS at least as fast as ssh -L with its fastest cipher.
  for (const ours of ["user-pair-v2-tls", "multi-pair-v2-tls"]) {
    checks.push(
      compare({
        target: `${label(ours)}: 1 stream ≥ ${label(SSH_L)}`,
        ours,
        theirs: SSH_L,
        metric: "tput1",
        goal: 1,
        direction: "atLeast",
      }),
    );
  }

  // Connection rate.
  checks.push(
    compare({
      target: `${label("user-pair-v2-tls")}: connection rate ≥ ${label(SSH_L)}'s`,
      ours: "user-pair-v2-tls",
      theirs: SSH_L,
      metric: "connRate",
      goal: 1,
      direction: "atLeast",
    }),
    compare({
      target: `${label("multi-pair-v2-tls")}: connection rate ≥ 5× ${label(SSH_R)}'s`,
      ours: "multi-pair-v2-tls",
      theirs: SSH_R,
      metric: "connRate",
      goal: 5,
      direction: "atLeast",
    }),
  );
  for (const key of ["user-pair", "multi-pair"]) {
    checks.push(
      atLeast(
        `${label(key)} (legacy handshake, the default): connection rate ≥ 0.3× direct`,
        summary[key]?.connRate?.ratio?.median,
        0.3,
        times,
        whyMissing(byKey, key, "connRate"),
      ),
    );
  }

  // Latency and CPU, in every mode of both pairs.
  for (const { key } of pairModes) {
    checks.push(
      compare({
        target: `${label(key)}: 64 B round trip p99, once warm, ≤ ${label(SSH_L)}'s`,
        ours: key,
        theirs: SSH_L,
        metric: "rtt64p99",
        goal: 1,
        direction: "atMost",
      }),
    );
  }
  for (const { key, ssh } of pairModes) {
    checks.push(
      compare({
        target: `${label(key)}: CPU per GB moved ≤ ${label(ssh)}'s`,
        ours: key,
        theirs: ssh,
        metric: "cpuPerGb",
        goal: 1,
        direction: "atMost",
      }),
    );
  }

  // What the status page and heartbeats may cost: 3 % at most.
  for (const [ours, theirs] of [
    ["tcp-forwarding-status", "tcp-forwarding"],
    ["multi-pair-v2", "multi-pair-v2-hb-off"],
  ] as const) {
    checks.push(
      compare({
        target: `${label(ours)}: 1 stream within 3 % of ${label(theirs)}`,
        ours,
        theirs,
        metric: "tput1",
        goal: 0.97,
        direction: "atLeast",
      }),
      compare({
        target: `${label(ours)}: 64 B round trip median within 3 % of ${label(theirs)}`,
        ours,
        theirs,
        metric: "rtt64",
        goal: 1.03,
        direction: "atMost",
      }),
    );
  }
  return checks;
}
