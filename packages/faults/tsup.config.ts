import { defineConfig } from "tsup";
import { bins } from "../../tsup.config.base.ts";

/** The helper programs that run inside the namespaces: built like the product's bins. */
export default defineConfig({
  ...bins,
  clean: true,
  entry: { "agents/agent": "src/agents/agent.ts", "agents/target": "src/agents/target.ts" },
});
