/**
 * The minified+gzipped size of the ESM bundle, dependencies included, for the whole API and for one function,
 * built with esbuild from `dist/` as an application bundler would. `npm run size` fails above the gate.
 */
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

/** Issue 7's budget for the whole API. Not met: ky, neverthrow and valibot alone take 8.5 KB (see README). */
export const TARGET_GZIPPED = 12 * 1024;
/** The regression gate CI enforces: today's size plus a little room, so growth is a decision, not an accident. */
export const GATE_GZIPPED = 13.5 * 1024;

const entries = {
  "whole API (every export)": 'export * from "./dist/index.js";',
  "the contract: client, errors, the nine endpoints":
    'export { createClient, createRepo, listRepos, getRepo, deleteRepo, forkRepo, importRepo, createToken, listTokens, deleteToken, ErrorCode, HttpError, TransportError, InvalidInputError } from "./dist/index.js";',
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
  if (whole.gzipped > TARGET_GZIPPED) {
    console.log(`note: the whole API is ${whole.gzipped - TARGET_GZIPPED} B over the ${TARGET_GZIPPED} B target.`);
  }
  if (whole.gzipped > GATE_GZIPPED) {
    console.error(`Over the gate: the whole API is ${whole.gzipped} B gzipped, more than ${GATE_GZIPPED} B.`);
    process.exitCode = 1;
  }
}
