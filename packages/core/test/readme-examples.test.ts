import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tsBlocks, typecheckExamples } from "@fwd/testkit";
import { describe, expect, it } from "vitest";
import { ErrorCodes } from "../src/index.js";

/**
 * The README's examples are real: every ```ts block is compiled as its own
 * ES module against the package's built, public types (dist/*.d.ts, with
 * @internal members stripped), as a program that installed @fwd/core would.
 */
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const readmePath = join(packageDir, "README.md");
const readme = readFileSync(readmePath, "utf8");
const blocks = tsBlocks(readme);

describe("packages/core/README.md", () => {
  it("has a complete example for forward() and every start* function", () => {
    for (const call of [
      "forward(",
      "startUserServer(",
      "startUserClient(",
      "startMultiServer(",
      "startMultiClient(",
    ]) {
      const example = blocks.find((block) => block.code.includes(`await ${call}`));
      expect(example, `an example that calls ${call}`).toBeDefined();
      // Complete: it imports what it uses, handles events, stops and awaits `done`.
      expect(example!.code).toMatch(/^import \{[^}]+\} from "@fwd\/core";$/m);
      expect(example!.code).toMatch(/\.on\("/);
      expect(example!.code).toMatch(/\.(close|destroy)\(\)/);
      expect(example!.code).toMatch(/\.done\b/);
    }
  });

  it("every ts example typechecks against the built public types", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    const errors = typecheckExamples(
      readmePath,
      {
        "@fwd/core": join(packageDir, "dist", "index.d.ts"),
        "@fwd/core/protocol": join(packageDir, "dist", "protocol.d.ts"),
      },
      [join(packageDir, "node_modules", "@types")],
    );
    expect(errors).toEqual([]);
  }, 60_000);

  it("lists every error code, each once", () => {
    const listed = [...readme.matchAll(/^\| `(ERR_FWD_[A-Z_]+)` +\|/gm)].map((m) => m[1]);
    expect(listed.sort()).toEqual(Object.values(ErrorCodes).sort());
  });
});
