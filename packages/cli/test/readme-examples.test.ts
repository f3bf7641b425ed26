import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { typecheckExamples } from "@fwd/testkit";
import { describe, expect, it } from "vitest";

/** The README's example program compiles against the built @fwd/cli and @fwd/core types. */
const packagesDir = fileURLToPath(new URL("../..", import.meta.url));

describe("packages/cli/README.md", () => {
  it("every ts example typechecks against the built public types", () => {
    const errors = typecheckExamples(
      join(packagesDir, "cli", "README.md"),
      {
        "@fwd/cli": join(packagesDir, "cli", "dist", "index.d.ts"),
        "@fwd/core": join(packagesDir, "core", "dist", "index.d.ts"),
      },
      [join(packagesDir, "cli", "node_modules", "@types")],
    );
    expect(errors).toEqual([]);
  }, 60_000);
});
