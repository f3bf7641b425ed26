/**
 * pnpm bench: measures every configuration in front of loopback services
 * (see README.md), prints the report, writes results/latest.{json,png,md}
 * (--quick: results/quick.*). Exits 1 only if a measurement failed; missed
 * targets are reported, not fatal.
 */
import { cpus, release } from "node:os";
import { relative } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs, usage } from "./args.ts";
import { allConfigs } from "./configs/index.ts";
import { IperfServer, iperfInstalled } from "./measure/iperf3.ts";
import { LoadClient } from "./measure/load-client.ts";
import { procAvailable } from "./measure/proc-memory.ts";
import { measureRep } from "./measure/rep.ts";
import { startServices } from "./measure/services.ts";
import { measureMemory } from "./memory-phase.ts";
import { drawChart } from "./report/png/chart.ts";
import { summarize } from "./report/summary.ts";
import { renderReport } from "./report/table.ts";
import { checkTargets } from "./report/targets.ts";
import { writeResult } from "./report/write.ts";
import { type ConfigResults, emptyResults } from "./results.ts";
import { rotate } from "./rotation.ts";

const log = (line: string) => console.error(line);
const began = performance.now();
const elapsed = () => `${((performance.now() - began) / 1000).toFixed(0)} s`;

let parsed: ReturnType<typeof parseArgs>;
try {
  parsed = parseArgs(process.argv.slice(2));
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
if (parsed === "help") {
  console.log(usage);
  process.exit(0);
}
const { plan, only } = parsed;

const unknown = only?.filter((key) => !allConfigs.some((c) => c.key === key)) ?? [];
if (unknown.length > 0) {
  console.error(
    `unknown configuration ${unknown.join(", ")}; known: ${allConfigs.map((c) => c.key).join(", ")}`,
  );
  process.exit(2);
}
const configs = allConfigs.filter((c) =>
  only ? c.key === "direct" || only.includes(c.key) : plan.name === "full" || !c.fullRunOnly,
);
if (!only && plan.name === "quick") {
  const left = allConfigs.filter((c) => c.fullRunOnly).map((c) => c.key);
  log(`quick run: leaving out ${left.join(", ")} (full run only; name them with --only)`);
}
const results = new Map<string, ConfigResults>();
for (const config of configs) {
  const entry = emptyResults(config.key, config.label, config.hops);
  const missing = config.missing();
  if (missing) {
    entry.skipped = missing;
    log(`SKIPPING ${config.label}: ${missing}`);
  }
  results.set(config.key, entry);
}
const runnable = configs.filter((c) => !results.get(c.key)!.skipped);
if (!procAvailable) log("SKIPPING the memory figures: they read /proc (Linux only)");

const services = await startServices();
let iperfServer: IperfServer | undefined;
if (iperfInstalled()) {
  iperfServer = new IperfServer();
  await iperfServer.start();
} else {
  log(
    "SKIPPING iperf3 (not installed): the bench's own sender measures 1- and 4-stream throughput",
  );
}
const load = await LoadClient.start();

try {
  log(
    `fwd bench (${plan.name}): ${runnable.length} configurations, ${plan.reps} repetitions in rotating order`,
  );
  for (let rep = 0; rep < plan.reps; rep++) {
    log(`repetition ${rep + 1}/${plan.reps} [${elapsed()}]`);
    for (const config of rotate(runnable, rep)) {
      const entry = results.get(config.key)!;
      try {
        log(
          `  ${config.label.padEnd(36)} ${await measureRep(config, rep, entry, { plan, services: services.ports, iperfServer, load })}`,
        );
      } catch (err) {
        entry.errors.push(`rep ${rep + 1}: ${(err as Error).message.split("\n")[0]}`);
        log(`  ${config.label.padEnd(36)} FAILED: ${(err as Error).message.split("\n")[0]}`);
      }
    }
  }
  for (let rep = 0; rep < plan.memoryReps; rep++) {
    log(`memory ${rep + 1}/${plan.memoryReps} [${elapsed()}]`);
    for (const config of rotate(runnable, rep)) {
      const entry = results.get(config.key)!;
      log(
        `  ${config.label.padEnd(36)} ${await measureMemory(config, rep, entry, services.ports, plan, load)}`,
      );
    }
  }
} finally {
  await load.stop();
  await iperfServer?.stop();
  await services.child.stop();
}

const all = [...results.values()];
const summary = summarize(all);
const checks = checkTargets(all, summary);
const cpu = cpus();
const heading = [
  `fwd bench, ${plan.name} run of ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC:`,
  `Node ${process.version}, ${cpu.length} × ${cpu[0]?.model.trim() ?? "CPU"}, Linux ${release()};`,
  `${plan.reps} repetitions in rotating order (memory: ${plan.memoryReps}), ${elapsed()} in all.`,
  iperfServer
    ? ""
    : "iperf3 is not installed: the 1- and 4-stream figures come from the bench sender.",
]
  .filter(Boolean)
  .join(" ");
const report = renderReport(all, summary, checks, heading);
console.log(report);

const prefix = plan.name === "quick" ? "quick" : "latest";
const json = {
  generated: new Date().toISOString(),
  plan,
  machine: {
    node: process.version,
    cpus: cpu.length,
    cpuModel: cpu[0]?.model.trim(),
    kernel: release(),
  },
  seconds: Math.round((performance.now() - began) / 1000),
  configs: all,
  summary,
  targets: checks,
};
const files = [
  writeResult(`${prefix}.json`, `${JSON.stringify(json, null, 2)}\n`),
  writeResult(`${prefix}.md`, `${report}\n`),
  writeResult(
    `${prefix}.png`,
    drawChart(all, summary, `FWD BENCH (${plan.name}): RATIOS TO DIRECT`),
  ),
];
log(`wrote ${files.map((f) => relative(process.cwd(), f)).join(", ")} [${elapsed()}]`);

const failed = all.filter((c) => c.errors.length > 0);
if (failed.length > 0) {
  log(`measurements failed in: ${failed.map((c) => c.label).join(", ")}`);
  process.exit(1);
}
process.exit(0);
