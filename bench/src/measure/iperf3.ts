/**
 * Throughput with iperf3 (sender and receiver in iperf3's own processes). An
 * iperf3 test opens a control connection and then its data connections to
 * the same port, so every configuration forwards one port to the iperf3
 * server, and a forwarder that serves one connection at a time cannot carry it.
 */
import { spawn } from "node:child_process";
import { freePort, type RunningProcess, startProcess } from "@fwd/testkit";
import { hasCommand } from "../configs/tools.ts";
import type { IperfLength } from "../plan.ts";

export const iperfInstalled = () => hasCommand("iperf3", ["--version"]);

/** One iperf3 server on loopback; restartable, since a failed test can leave it wedged. */
export class IperfServer {
  private running: RunningProcess | undefined;
  port = 0;

  async start(): Promise<void> {
    this.port = await freePort();
    await this.launch();
  }

  /** Restarts on the same port, so running forwarders keep pointing at it. */
  async restart(): Promise<void> {
    await this.running?.stop("SIGKILL");
    await this.launch();
  }

  private async launch(): Promise<void> {
    this.running = startProcess("iperf3", [
      "-s",
      "--forceflush",
      "-B",
      "127.0.0.1",
      "-p",
      String(this.port),
    ]);
    await this.running.waitFor(/Server listening/);
  }

  async stop(): Promise<void> {
    await this.running?.stop("SIGKILL");
  }
}

/** iperf3's JSON report, the parts the bench reads. */
interface IperfJson {
  error?: string;
  end?: { sum_received?: { bits_per_second: number; bytes: number } };
}

export interface IperfResult {
  /** The receivers' rate. */
  mbPerSecond: number;
  /** Bytes the receivers got. */
  bytes: number;
}

/**
 * Runs one iperf3 client test to `port`; resolves with what the receivers got.
 * The client is killed `graceMs` after the test should have ended.
 */
export function iperf(
  port: number,
  streams: number,
  length: IperfLength,
  graceMs: number,
): Promise<IperfResult> {
  const limit = graceMs + ("seconds" in length ? length.seconds * 1000 : 0);
  const lengthArgs = "seconds" in length ? ["-t", String(length.seconds)] : ["-n", length.bytes];
  const args = ["-c", "127.0.0.1", "-p", String(port), "-P", String(streams), "-J", ...lengthArgs];
  args.push("--connect-timeout", "3000");
  return new Promise((resolve, reject) => {
    const child = spawn("iperf3", args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => {
      out += text;
    });
    child.stderr.resume();
    const timer = setTimeout(() => child.kill("SIGKILL"), limit);
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (signal === "SIGKILL") {
        reject(new Error(`iperf3 did not finish within ${limit} ms`));
        return;
      }
      let report: IperfJson;
      try {
        report = JSON.parse(out) as IperfJson;
      } catch {
        reject(new Error(`iperf3 exited (${code}) without a JSON report`));
        return;
      }
      const received = report.end?.sum_received;
      if (report.error || !received?.bits_per_second) {
        reject(new Error(`iperf3: ${report.error ?? "no result"}`));
      } else {
        resolve({ mbPerSecond: received.bits_per_second / 8 / 1e6, bytes: received.bytes });
      }
    });
  });
}
