import { defineConfig } from "vitest/config";
import projects from "./vitest.workspace.ts";

export default defineConfig({
  test: {
    projects,
    // The CI reader counts results from the JSON report, not from the console.
    reporters: ["default", "json"],
    outputFile: { json: "test-results/vitest.json" },
  },
});
