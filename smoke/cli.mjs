// Runs the lifecycle with the built package under whatever runtime executes this file.
import * as git from "../dist/git/index.js";
import * as sdk from "../dist/index.js";
import { runLifecycle } from "./lifecycle.mjs";

const env = (name) => (globalThis.Deno ? Deno.env.get(name) : process.env[name]);
const runtime = globalThis.Deno ? "deno" : globalThis.Bun ? "bun" : `node${process.versions.node.split(".")[0]}`;
try {
  const steps = await runLifecycle(sdk, {
    baseUrl: env("ARTIFACTS_BASE_URL"),
    accountId: env("ARTIFACTS_ACCOUNT_ID"),
    apiToken: env("ARTIFACTS_API_TOKEN"),
    runtime,
    git,
  });
  console.log(`SMOKE OK ${runtime}: ${steps.length} steps`);
} catch (error) {
  console.error(`SMOKE FAILED ${runtime}: ${error?.message ?? error}`);
  if (globalThis.Deno) Deno.exit(1);
  process.exit(1);
}
