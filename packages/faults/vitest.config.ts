import { defineProject } from "vitest/config";
import { sourceConditions } from "../../vitest.shared.ts";

export default defineProject({
  ...sourceConditions,
  test: {
    name: "faults",
    include: ["test/**/*.test.ts"],
    // One topology at a time, and none while other projects load the CPUs:
    // these tests measure seconds, and a busy machine must not be what they measure.
    fileParallelism: false,
    sequence: { groupOrder: 1 },
    globalSetup: ["./test/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
