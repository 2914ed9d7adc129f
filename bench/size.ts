/**
 * The minified+gzipped size of the ESM bundle, dependencies included, for the whole API and for one function,
 * built with esbuild from `dist/` as an application bundler would. `npm run size` fails above the gate.
 */
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

/**
 * The core's size budget, as decided: 12 KB gzipped for the contract's surface (client, errors, the nine endpoints)
 * and 13.5 KB for every export together; the stack the contract fixes (ky, neverthrow, valibot) alone takes 8.2 KB.
 * Both are gates: CI fails above either.
 */
export const BUDGET_GZIPPED = 12 * 1024;
export const GATE_GZIPPED = 13.5 * 1024;

const entries = {
  "whole API (every export)": 'export * from "./dist/index.js";',
  "the contract: client, errors, the nine endpoints":
    'export { createClient, createRepo, listRepos, getRepo, deleteRepo, forkRepo, importRepo, createToken, listTokens, deleteToken, ErrorCode, HttpError, TransportError, InvalidInputError } from "./dist/index.js";',
  "one function (createClient + getRepo)": 'export { createClient, getRepo } from "./dist/index.js";',
  // The floor no SDK code can go under: what the fixed stack weighs before any of this package's own code.
  "the dependencies alone (ky, neverthrow, the valibot schemas used)":
    'export { default as ky } from "ky"; export { ResultAsync, ok, err } from "neverthrow"; export { looseObject, string, number, boolean, nullable, optional, unknown, array, picklist, safeParse } from "valibot";',
};

/** Reported, not gated: the subpaths, whose dependencies never reach the core's bundle. */
const subpaths = {
  "the Git data plane (./git, with pako)": 'export * from "./dist/git/index.js";',
  "typed events (./events)": 'export * from "./dist/events/index.js";',
  // The MCP SDK is an optional peer, loaded by serveTools only: left out of the bundle as a host provides it.
  "the agents' tools (./tools, with ./git)": 'export * from "./dist/tools/index.js";',
};

export async function bundleSizes() {
  return Promise.all(
    [...Object.entries(entries), ...Object.entries(subpaths)].map(async ([name, contents]) => {
      const result = await build({
        stdin: { contents, resolveDir: process.cwd(), loader: "js" },
        bundle: true,
        minify: true,
        format: "esm",
        platform: "neutral",
        mainFields: ["module", "main"],
        write: false,
        logLevel: "silent",
        external: ["node:*", "@modelcontextprotocol/sdk/*"],
      });
      const code = result.outputFiles[0]?.contents ?? new Uint8Array();
      return { name, minified: code.byteLength, gzipped: gzipSync(code, { level: 9 }).byteLength };
    }),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = await bundleSizes();
  for (const size of sizes) console.log(`${size.name}: ${size.minified} B minified, ${size.gzipped} B gzipped`);
  const [whole, contract] = sizes as [(typeof sizes)[number], (typeof sizes)[number]];
  for (const [size, gate] of [
    [whole, GATE_GZIPPED],
    [contract, BUDGET_GZIPPED],
  ] as const) {
    if (size.gzipped > gate) {
      console.error(`Over the gate: ${size.name} is ${size.gzipped} B gzipped, more than ${gate} B.`);
      process.exitCode = 1;
    }
  }
}
