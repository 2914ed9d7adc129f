// The core and the Git data plane inside workerd, with no compatibility flag (neither imports a Node built-in): the
// Worker commits and reads files through the local server when fetched.
import * as git from "../dist/git/index.js";
import * as sdk from "../dist/index.js";
import { runLifecycle } from "./lifecycle.mjs";

export default {
  async fetch(_request, env) {
    try {
      const steps = await runLifecycle(sdk, {
        baseUrl: env.BASE_URL,
        accountId: env.ACCOUNT_ID,
        apiToken: env.API_TOKEN,
        runtime: "workerd-git",
        git,
      });
      return new Response(`SMOKE OK workerd with ./git: ${steps.length} steps`);
    } catch (error) {
      return new Response(`SMOKE FAILED workerd with ./git: ${error?.stack ?? error}`, { status: 500 });
    }
  },
};
