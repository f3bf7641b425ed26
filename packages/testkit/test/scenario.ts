import type { LegacyMode, LegacyPeer, Teardown } from "../src/index.js";

/** What a scenario saw, in terms that do not depend on ports or timing. */
export type Observation = Record<string, unknown>;

export interface ScenarioContext {
  teardown: Teardown;
  /** Starts the peer under test (127.0.0.1, a port of its own), killed at teardown. */
  peer(mode: LegacyMode, flags?: Record<string, string | number>): Promise<LegacyPeer>;
}

/** One wire behaviour: every legacy peer must show `expected`. */
export interface Scenario {
  name: string;
  expected: Observation;
  run(context: ScenarioContext): Promise<Observation>;
}

export const OK = "<UVM>OK</UVM>";
/** "abc" as the legacy clients pad it, and that in hex. */
export const ID = "0000000000000abc";
export const ID_HEX = Buffer.from(ID).toString("hex");
