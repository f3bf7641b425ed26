/**
 * Tests import workspace packages from their TypeScript sources (the
 * "@fwd/source" export condition), so a library change needs no rebuild.
 */
export const sourceConditions = {
  resolve: { conditions: ["@fwd/source"] },
  ssr: { resolve: { conditions: ["@fwd/source"] } },
};
