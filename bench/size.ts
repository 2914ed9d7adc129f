/**
 * The minified+gzipped size of the ESM bundle, dependencies included, for the whole API and for one function,
 * built with esbuild from `dist/` as an application bundler would. `npm run size` checks the whole-API budget.
 */
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

export const BUDGET_GZIPPED = 12 * 1024;

const entries = {
  "whole API (every export)": 'export * from "./dist/index.js";',
  "one function (createClient + getRepo)": 'export { createClient, getRepo } from "./dist/index.js";',
};

export async function bundleSizes() {
  return Promise.all(
    Object.entries(entries).map(async ([name, contents]) => {
      const result = await build({
        stdin: { contents, resolveDir: process.cwd(), loader: "js" },
        bundle: true,
        minify: true,
        format: "esm",
        platform: "neutral",
        mainFields: ["module", "main"],
        write: false,
        logLevel: "silent",
      });
      const code = result.outputFiles[0]?.contents ?? new Uint8Array();
      return { name, minified: code.byteLength, gzipped: gzipSync(code, { level: 9 }).byteLength };
    }),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = await bundleSizes();
  for (const size of sizes) console.log(`${size.name}: ${size.minified} B minified, ${size.gzipped} B gzipped`);
  const whole = sizes[0]!;
  if (whole.gzipped > BUDGET_GZIPPED) {
    console.error(`Over budget: the whole API is ${whole.gzipped} B gzipped, more than ${BUDGET_GZIPPED} B.`);
    process.exitCode = 1;
  }
}
