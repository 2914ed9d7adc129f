import { defineConfig } from "vitest/config";

/**
 * The tests `npm run mutation` runs against each mutant: the unit and wire tests (nock), which run in seconds. The
 * integration, reliability and data-plane suites need a local server and git, and take minutes.
 */
export default defineConfig({
  test: {
    include: ["tests/*.test.ts"],
    exclude: ["tests/docs.test.ts", "tests/package.test.ts"],
    testTimeout: 30_000,
  },
});
