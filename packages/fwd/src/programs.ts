/** What each CLI package exports as `main`: runs its command line, resolves with the exit status. */
export type ProgramMain = (
  argv: readonly string[],
  release: { version?: string },
) => Promise<number>;

/** One of the five fwd programs. */
export interface Program {
  /** The subcommand: `fwd <name> …`. */
  readonly name: string;
  /**
   * Every bin name its package installs (the legacy script names among them):
   * a copy of fwd named after one runs this program. Kept equal to the
   * package.json "bin" keys by a test.
   */
  readonly bins: readonly string[];
  /** The package it comes from. */
  readonly packageName: string;
  /** One line for `fwd --help`. */
  readonly line: string;
  /** Loads the program on demand, so `fwd --help` evaluates none of them. */
  readonly load: () => Promise<ProgramMain>;
}

export const PROGRAMS: readonly Program[] = [
  {
    name: "tcp-forwarding",
    bins: ["tcp-forwarding", "tcp_forwarding"],
    packageName: "@fwd/tcp-forwarding",
    line: "local port forward: connections here go on to a target (tcp_forwarding.py)",
    load: async () => (await import("@fwd/tcp-forwarding")).main,
  },
  {
    name: "user-server",
    bins: ["user-server", "tcp_forwarding_user_server"],
    packageName: "@fwd/user-server",
    line: "server of the user pair: connects to the targets user-clients name",
    load: async () => (await import("@fwd/user-server")).main,
  },
  {
    name: "user-client",
    bins: ["user-client", "tcp_forwarding_user_client"],
    packageName: "@fwd/user-client",
    line: "client of the user pair: a local port reaching a target behind a user-server",
    load: async () => (await import("@fwd/user-client")).main,
  },
  {
    name: "multi-server",
    bins: ["multi-server", "tcp_forwarding_multi_server", "tcp_forwarding_multi_server_select"],
    packageName: "@fwd/multi-server",
    line: "server of the reverse tunnel: opens public ports for registered multi-clients",
    load: async () => (await import("@fwd/multi-server")).main,
  },
  {
    name: "multi-client",
    bins: ["multi-client", "tcp_forwarding_multi_client"],
    packageName: "@fwd/multi-client",
    line: "client of the reverse tunnel: publishes a target here through a multi-server",
    load: async () => (await import("@fwd/multi-client")).main,
  },
];

/**
 * The program a file or subcommand name stands for: case-insensitive, any
 * directory and a `.exe`, `.js`, `.cjs` or `.mjs` ending ignored, so
 * `C:\tools\TCP_Forwarding.exe` and `/usr/local/bin/multi-client` both count.
 */
export function programNamed(nameOrPath: string): Program | undefined {
  const name = commandName(nameOrPath);
  return PROGRAMS.find((program) => program.bins.includes(name));
}

/** A path's last part (either slash), lower case, without an executable or script ending. */
export function commandName(nameOrPath: string): string {
  const base = nameOrPath.split(/[\\/]/).pop() ?? "";
  return base.toLowerCase().replace(/\.(exe|js|cjs|mjs)$/, "");
}
