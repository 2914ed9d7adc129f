// How a user's project would run these tests: `vitest run --config examples/testing/vitest.config.ts`.
import { defineConfig } from "vitest/config";

const src = (path: string) => new URL(`../../src/${path}`, import.meta.url).pathname;

export default defineConfig({
  // In a user's project the package resolves from node_modules; here, from this repository's source.
  resolve: {
    alias: [
      { find: /^cloudflare-artifacts\/(git|events|testing)$/, replacement: src("$1/index.ts") },
      { find: /^cloudflare-artifacts$/, replacement: src("index.ts") },
    ],
  },
  test: {
    include: ["examples/testing/*.test.ts"],
    globalSetup: ["examples/testing/global-setup.ts"],
  },
});
