import { defineConfig } from "vitest/config";

const src = (path: string) => new URL(`./src/${path}`, import.meta.url).pathname;

export default defineConfig({
  // As tsconfig's paths: examples import the package by name.
  resolve: {
    alias: [
      { find: /^cloudflare-artifacts\/(git|events|testing|tools)$/, replacement: src("$1/index.ts") },
      { find: /^cloudflare-artifacts$/, replacement: src("index.ts") },
    ],
  },
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 120_000,
    // Lets the memory test force a collection before each measurement.
    execArgv: ["--expose-gc"],
    hookTimeout: 30_000,
    typecheck: { enabled: true, include: ["tests/**/*.test-d.ts"] },
  },
});
