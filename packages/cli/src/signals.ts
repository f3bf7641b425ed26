/** The part of `process` the runner listens on for signals. */
export type SignalSource = Pick<NodeJS.Process, "on" | "off">;

/**
 * Signals that stop a program: SIGINT is Ctrl+C everywhere; SIGBREAK is
 * Ctrl+Break on Windows, where SIGTERM does not exist; SIGTERM is how service
 * managers stop processes elsewhere.
 */
export const STOP_SIGNALS: readonly NodeJS.Signals[] =
  process.platform === "win32" ? ["SIGINT", "SIGBREAK"] : ["SIGINT", "SIGTERM"];

export interface SignalWatch {
  /** Resolves with the name of the next stop signal. */
  nextStop(): Promise<string>;
  /** Removes every handler. */
  stop(): void;
}

/**
 * Listens for stop signals and SIGHUP. SIGHUP (a closed terminal, or a
 * reload request) never stops the program: `nohup` and service managers
 * rely on that.
 */
export function watchSignals(
  source: SignalSource,
  handlers: { onReload: () => void },
): SignalWatch {
  const waiters: Array<(signal: string) => void> = [];
  const onStop = (signal: NodeJS.Signals) => {
    for (const wake of waiters.splice(0)) wake(signal);
  };
  const onHangup = () => handlers.onReload();
  for (const signal of STOP_SIGNALS) source.on(signal, onStop);
  source.on("SIGHUP", onHangup);
  return {
    nextStop: () => new Promise((resolve) => waiters.push(resolve)),
    stop() {
      for (const signal of STOP_SIGNALS) source.off(signal, onStop);
      source.off("SIGHUP", onHangup);
    },
  };
}
