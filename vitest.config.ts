import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 120_000,
    // Lets the memory test force a collection before each measurement.
    execArgv: ["--expose-gc"],
    hookTimeout: 30_000,
    typecheck: { enabled: true, include: ["tests/**/*.test-d.ts"] },
  },
});
