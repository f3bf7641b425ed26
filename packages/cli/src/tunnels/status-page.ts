/**
 * The status page of a running program (--status_port): started with the
 * program, restarted when a reload changes its flags, over a provider that
 * reads the tunnels running at each moment, so it outlives reloads.
 */
import {
  type StatusProvider,
  type StatusServer,
  startStatusServer,
  statusExposureWarning,
} from "@fwd/status";
import type { FlagSpecs } from "../flags.js";
import type { Logger } from "../logger.js";
import { placeError, type ValueSource } from "./place-error.js";
import type { RunningTunnel } from "./program.js";
import type { TunnelSet } from "./tunnel-set.js";

export interface StatusSettings {
  status_port?: number | undefined;
  status_host?: string | undefined;
  status_token?: string | undefined;
}

/** A StatusProvider over whatever tunnels the set runs when it is asked. */
export function tunnelSetProvider<F extends FlagSpecs, T extends RunningTunnel>(
  set: TunnelSet<F, T>,
  about: { program: string; version: string },
): StatusProvider {
  const startedAt = new Date().toISOString();
  return {
    snapshot: () => ({
      program: about.program,
      version: about.version,
      pid: process.pid,
      startedAt,
      now: new Date().toISOString(),
      ...set.programStatus(),
      tunnels: set.rows(),
    }),
    onConnectionClosed: (listener) => set.onConnectionClosed(listener),
  };
}

const keyOf = (settings: StatusSettings) =>
  JSON.stringify([settings.status_port, settings.status_host, settings.status_token]);

export class StatusPage {
  #server: StatusServer | undefined;
  #key = keyOf({});

  constructor(
    private readonly provider: StatusProvider,
    private readonly log: Logger,
    private readonly flags: FlagSpecs,
  ) {}

  /**
   * Serves the page as `settings` say (off without a port), restarting it
   * when they changed. Throws, in flag or config-file words, if it cannot.
   */
  async apply(settings: StatusSettings, source: ValueSource): Promise<void> {
    const key = keyOf(settings);
    if (key === this.#key) return;
    await this.close();
    this.#key = key;
    const { status_port: port, status_host: host = "127.0.0.1", status_token: token } = settings;
    if (port === undefined) return;
    try {
      this.#server = await startStatusServer({ host, port, token, provider: this.provider });
    } catch (err) {
      this.#key = keyOf({});
      throw placeError(err, this.flags, { ...source, listenFlag: "status_port" });
    }
    // The URL without its ?token=: the token is never written to a log.
    const url = this.#server.url.replace(/\?.*$/, "");
    this.log.info(
      `status page on ${url}${token ? " (open it with ?token=<the --status_token value>)" : ""}`,
    );
    const warning = statusExposureWarning({ host, port: this.#server.address().port, token });
    if (warning) this.log.warn(warning);
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    this.#key = keyOf({});
    await server?.close();
  }
}
