/**
 * Collects what a test started so afterEach can close all of it, newest
 * first, awaiting every close.
 */
export class Teardown {
  private readonly steps: Array<() => unknown> = [];

  /** Registers `thing.close()` (or a function) and returns `thing`. */
  add<T extends { close(): unknown } | (() => unknown)>(thing: T): T {
    this.steps.push(typeof thing === "function" ? thing : () => thing.close());
    return thing;
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
