// What tests/pinned.test.ts imports from the package root, plus the one internal it pins directly.
export * from "../src/index.js";
export { resolveRetry as resolveRetryForTest } from "../src/retry.js";
