/**
 * Collects what a test started so afterEach can close all of it, newest
 * first, awaiting every close.
 */
export class Teardown {
  private readonly steps: Array<() => unknown> = [];

  /**
   * Registers `thing.destroy()` if it has one (a fwd service: a test's
   * leftovers need no drain), else `thing.close()` (or a function), and
   * returns `thing`.
   */
  add<T extends { close(): unknown; destroy?: () => unknown } | (() => unknown)>(thing: T): T {
    if (typeof thing === "function") this.steps.push(thing);
    else if (typeof thing.destroy === "function") this.steps.push(() => thing.destroy?.());
    else this.steps.push(() => thing.close());
    return thing;
  }

  /** Kills a started process at teardown (SIGKILL: a test's leftovers need no grace) and returns it. */
  kill<T extends { stop(signal?: NodeJS.Signals): unknown }>(running: T): T {
    this.steps.push(() => running.stop("SIGKILL"));
    return running;
  }

  async run(): Promise<void> {
    const errors: unknown[] = [];
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length > 0) throw errors[0];
  }
}
