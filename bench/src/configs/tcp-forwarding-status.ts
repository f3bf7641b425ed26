/**
 * fwd's forwarder with its status page on (--status_port 0 on loopback),
 * read once a second by a StatusScraper for as long as it runs: what a
 * monitored forwarder costs, against plain tcp-forwarding.
 */
import type { ListeningBin, RunningProcess } from "@fwd/testkit";
import { sumRssKb } from "../measure/proc-memory.ts";
import { StatusScraper } from "../measure/status-scraper.ts";
import { LOOPBACK, missingFwdFlag, pidsOf, startFailure, startFwdBin, stopAll } from "./launch.ts";
import type { Config } from "./types.ts";

/** The start line of the status page; the bench only ever binds it to 127.0.0.1. */
const STATUS_LINE = /status page on http:\/\/127\.0\.0\.1:(\d+)\//;

async function statusPort(running: RunningProcess): Promise<number> {
  try {
    const [, port] = await running.waitFor(STATUS_LINE, 5000);
    return Number(port);
  } catch (err) {
    throw startFailure("tcp-forwarding (status page)", err);
  }
}

export const tcpForwardingStatus: Config = {
  key: "tcp-forwarding-status",
  label: "tcp-forwarding + status page",
  hops: 1,
  fullRunOnly: true,
  missing: () => missingFwdFlag(["tcp-forwarding"], "status_port"),
  async start(targets) {
    const settled = await Promise.allSettled(
      targets.map((port) =>
        startFwdBin("tcp-forwarding", {
          target_host: LOOPBACK,
          target_port: port,
          status_port: 0,
          status_host: LOOPBACK,
        }),
      ),
    );
    const processes: ListeningBin[] = [];
    for (const result of settled) if (result.status === "fulfilled") processes.push(result.value);
    let scraper: StatusScraper | undefined;
    const stop = async () => {
      await scraper?.stop();
      await stopAll(processes);
    };
    try {
      const failed = settled.find((result) => result.status === "rejected");
      if (failed) throw failed.reason;
      scraper = new StatusScraper(await Promise.all(processes.map(statusPort)));
    } catch (err) {
      await stop();
      throw err;
    }
    return {
      entries: processes.map((running) => running.port),
      memoryKb: () => sumRssKb(pidsOf(processes)),
      pids: () => pidsOf(processes),
      notes: () => (scraper ? [scraper.summary()] : []),
      stop,
    };
  },
};
