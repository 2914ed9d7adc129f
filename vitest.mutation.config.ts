import { defineConfig } from "vitest/config";

/**
 * The tests `npm run mutation` runs against each mutant: the unit tests (nock, captured Git bytes), which run in
 * seconds and need no server or git binary. The `*.integration.test.ts` suites need a local server or git, and
 * take minutes.
 */
export default defineConfig({
  test: {
    include: ["tests/*.test.ts", "tests/git/**/*.test.ts"],
    exclude: ["tests/docs.test.ts", "tests/package.test.ts", "tests/**/*.integration.test.ts"],
    testTimeout: 30_000,
  },
});
