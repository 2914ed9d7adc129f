import { join } from "node:path";

/**
 * The package as built (dist/), typed by the source it is built from: what every bench measures. Imported by path,
 * not by name, so a stale or missing build is an error here and not a silent run of the source.
 */
const dist = (path: string) => join(import.meta.dirname, "../dist", path);

export const builtCore = (await import(dist("index.js"))) as typeof import("../src/index.js");
export const builtGit = (await import(dist("git/index.js"))) as typeof import("../src/git/index.js");
export const builtTesting = (await import(dist("testing/index.js"))) as typeof import("../src/testing/index.js");
