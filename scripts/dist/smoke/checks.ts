import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import { freePort } from "@fwd/testkit";
import { type Launcher, runToEnd, type Started, start } from "./launch.ts";
import { download, randomPayload, startSource } from "./traffic.ts";

/** What every check gets: the executable, how to start it, and where logs and copies go. */
export interface Subject {
  launcher: Launcher;
  exe: string;
  version: string;
  /** ".exe" for Windows. */
  suffix: string;
  workDir: string;
}

export interface Check {
  name: string;
  /** Resolves with a short detail for the PASS line; throws to fail. */
  run(subject: Subject): Promise<string>;
}

const DOWNLOAD_BYTES = 16 * 1024 * 1024;

function expectEqual<T>(what: string, actual: T, expected: T): void {
  if (actual !== expected) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

/** Stops every started program with SIGINT; each must exit 0 after saying "stopped". */
async function stopAll(programs: Started[]): Promise<void> {
  const statuses = await Promise.all(programs.map((program) => program.stop()));
  statuses.forEach((status, i) => {
    if (status !== 0 || !/: stopped$/m.test(programs[i]!.output())) {
      throw new Error(`did not stop cleanly on SIGINT (exit ${status}): ${programs[i]!.output()}`);
    }
  });
}

/** Runs `body` with a source of random bytes; stops what it started even when it fails. */
async function withSource(
  body: (sourcePort: number, expectedSha: string, started: Started[]) => Promise<string>,
): Promise<string> {
  const { data, sha256 } = randomPayload(DOWNLOAD_BYTES);
  const source = await startSource(data);
  const started: Started[] = [];
  try {
    const detail = await body(source.port, sha256, started);
    await stopAll(started.splice(0));
    return detail;
  } finally {
    await Promise.all(started.map((program) => program.stop(2000)));
    await source.close();
  }
}

function checkDownload(got: { bytes: number; sha256: string }, sha256: string): string {
  expectEqual("bytes downloaded", got.bytes, DOWNLOAD_BYTES);
  expectEqual("sha256", got.sha256, sha256);
  return `${DOWNLOAD_BYTES / 1024 / 1024} MiB, sha256 ${sha256.slice(0, 12)}… matches`;
}

const LISTENING = /: listening on 127\.0\.0\.1:(\d+)/;

export const CHECKS: readonly Check[] = [
  {
    name: "--version and -v print the release version",
    async run({ launcher, exe, version, workDir }) {
      for (const flag of ["--version", "-v"]) {
        const result = await runToEnd(launcher, exe, [flag], workDir);
        expectEqual(`exit status of ${flag}`, result.status, 0);
        expectEqual(`output of ${flag}`, result.stdout, `${version}\n`);
      }
      return version;
    },
  },
  {
    name: "--help lists the five programs",
    async run({ launcher, exe, workDir }) {
      const result = await runToEnd(launcher, exe, ["--help"], workDir);
      expectEqual("exit status", result.status, 0);
      const names = [
        "tcp-forwarding",
        "user-server",
        "user-client",
        "multi-server",
        "multi-client",
      ];
      const missing = names.filter((name) => !new RegExp(`^  ${name} `, "m").test(result.stdout));
      if (missing.length > 0) throw new Error(`not listed: ${missing.join(", ")}`);
      return "5 programs";
    },
  },
  {
    name: "bad usage exits 2 (a bad flag, an unknown program)",
    async run({ launcher, exe, workDir }) {
      const badFlag = await runToEnd(launcher, exe, ["tcp-forwarding", "--no_such_flag"], workDir);
      expectEqual("exit status for a bad flag", badFlag.status, 2);
      if (!/unknown flag --no_such_flag/.test(badFlag.output)) {
        throw new Error(`no one-line error for the bad flag: ${badFlag.output}`);
      }
      const unknown = await runToEnd(launcher, exe, ["no-such-program"], workDir);
      expectEqual("exit status for an unknown program", unknown.status, 2);
      return "exit 2 both";
    },
  },
  {
    name: "drop-in copies run their program and print the release version",
    async run({ launcher, exe, version, suffix, workDir }) {
      const copies: Array<[file: string, program: string]> = [
        [`tcp_forwarding${suffix}`, "tcp-forwarding"],
        [`multi-client${suffix}`, "multi-client"],
        [`TCP_Forwarding_Multi_Server_Select${suffix.toUpperCase()}`, "multi-server"],
        [`tcp_forwarding_user_server${suffix}`, "user-server"],
        [`user-client${suffix}`, "user-client"],
      ];
      for (const [file, program] of copies) {
        const copy = join(workDir, file);
        await copyFile(exe, copy);
        const shown = await runToEnd(launcher, copy, ["--version"], workDir);
        expectEqual(`${file} --version exit status`, shown.status, 0);
        expectEqual(`${file} --version`, shown.stdout, `${version}\n`);
        const help = await runToEnd(launcher, copy, ["--help"], workDir);
        if (!help.stdout.startsWith(`Usage: ${program} [flags]`)) {
          throw new Error(`${file} --help is not ${program}'s: ${help.output.slice(0, 200)}`);
        }
      }
      return copies.map(([file]) => file).join(", ");
    },
  },
  {
    name: "download through tcp-forwarding, SHA-checked",
    run: ({ launcher, exe, workDir }) =>
      withSource(async (sourcePort, sha256, started) => {
        const fwd = start(
          launcher,
          exe,
          [
            "tcp-forwarding",
            "--bind_host=127.0.0.1",
            "--bind_port=0",
            "--target_host=127.0.0.1",
            `--target_port=${sourcePort}`,
          ],
          workDir,
        );
        started.push(fwd);
        const [, port] = await fwd.waitFor(LISTENING);
        return checkDownload(await download(Number(port)), sha256);
      }),
  },
  {
    name: "download through multi-server + multi-client, SHA-checked",
    run: ({ launcher, exe, workDir }) =>
      withSource(async (sourcePort, sha256, started) => {
        const server = start(
          launcher,
          exe,
          ["multi-server", "--bind_host=127.0.0.1", "--bind_port=0"],
          workDir,
        );
        started.push(server);
        const [, serverPort] = await server.waitFor(LISTENING);
        // The client names the public port: it must be chosen before the server opens it.
        const publicPort = await freePort();
        const client = start(
          launcher,
          exe,
          [
            "multi-client",
            "--server_host=127.0.0.1",
            `--server_port=${serverPort}`,
            "--target_host=127.0.0.1",
            `--target_port=${sourcePort}`,
            `--server_target_port=${publicPort}`,
          ],
          workDir,
        );
        started.push(client);
        await client.waitFor(/: registered with server /);
        return checkDownload(await download(publicPort), sha256);
      }),
  },
];
