/** The test projects: each package with tests has its own vitest.config.ts. */
export default ["packages/*/vitest.config.ts"];
