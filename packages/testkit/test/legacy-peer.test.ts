/**
 * The in-repo legacy peer against the reference python stand-in: the same
 * wire scenarios, the same expected observations, so the two behave alike.
 * Without python3 or ../shared the reference half is skipped (and says so),
 * unless FWD_REQUIRE_LEGACY_PEER=1, where it fails.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  inRepoLegacyPeerPath,
  legacyPeerRequired,
  referenceLegacyPeerMissing,
  referenceLegacyPeerPath,
  startLegacyPeer,
  Teardown,
} from "../src/index.js";
import type { Scenario } from "./scenario.js";
import { firstFrameScenarios } from "./scenarios-first-frame.js";
import { multiScenarios } from "./scenarios-multi.js";
import { userScenarios } from "./scenarios-user.js";

const teardown = new Teardown();
afterEach(() => teardown.run());

const scenarios: Scenario[] = [...userScenarios, ...firstFrameScenarios, ...multiScenarios];

const peers = [
  { label: "in-repo peer", script: inRepoLegacyPeerPath, missing: undefined },
  {
    label: "reference peer",
    script: referenceLegacyPeerPath,
    missing: referenceLegacyPeerMissing(),
  },
];

for (const { label, script, missing } of peers) {
  const skip = missing !== undefined && !legacyPeerRequired;
  describe(label, () => {
    for (const scenario of scenarios) {
      const name = skip ? `${scenario.name} (${label}: skipped, ${missing})` : scenario.name;
      it.skipIf(skip)(name, async () => {
        if (missing) {
          throw new Error(
            `FWD_REQUIRE_LEGACY_PEER is set but the reference legacy peer cannot run: ${missing}. ` +
              "Install python3 and put uvm_peer.py at ../shared/legacy-peer/ (or set FWD_REFERENCE_LEGACY_PEER).",
          );
        }
        const observed = await scenario.run({
          teardown,
          peer: async (mode, flags = {}) =>
            teardown.kill(await startLegacyPeer(mode, flags, { script })),
        });
        expect(observed).toEqual(scenario.expected);
      });
    }
  });
}
