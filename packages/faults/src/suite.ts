import { describe, it } from "vitest";
import type { Readiness } from "./preconditions.js";

/**
 * A describe() that needs network namespaces: runs when the machine has
 * them; without them it fails loudly on CI (process.env.CI) with what is
 * missing, and elsewhere is skipped with the same reason in its name.
 */
export function describeWithNetns(ready: Readiness, name: string, body: () => void): void {
  if (ready.ok) {
    describe(name, body);
  } else if (process.env.CI) {
    describe(name, () => {
      it("has network namespaces, iptables and conntrack", () => {
        throw new Error(ready.reason);
      });
    });
  } else {
    console.warn(`${name}: skipped: ${ready.reason}`);
    describe.skip(`${name} (skipped: ${ready.reason})`, body);
  }
}
