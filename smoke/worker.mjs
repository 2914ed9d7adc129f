// The core inside workerd: the Worker runs the lifecycle against the local server when fetched.
import * as sdk from "../dist/index.js";
import { runLifecycle } from "./lifecycle.mjs";

export default {
  async fetch(_request, env) {
    try {
      const steps = await runLifecycle(sdk, {
        baseUrl: env.BASE_URL,
        accountId: env.ACCOUNT_ID,
        apiToken: env.API_TOKEN,
        runtime: "workerd",
      });
      return new Response(`SMOKE OK workerd: ${steps.length} steps`);
    } catch (error) {
      return new Response(`SMOKE FAILED workerd: ${error?.stack ?? error}`, { status: 500 });
    }
  },
};
