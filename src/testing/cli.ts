#!/usr/bin/env node
import { parseArgs } from "node:util";
import { startArtifactsServer } from "./server.js";

/** `cloudflare-artifacts-server [--port N] [--account-id ID] [--api-token T] [--data-dir DIR] [--delay MS]` */
const { values } = parseArgs({
  options: {
    port: { type: "string" },
    "account-id": { type: "string" },
    "api-token": { type: "string" },
    "data-dir": { type: "string" },
    delay: { type: "string" },
  },
});

const server = await startArtifactsServer({
  port: values.port ? Number(values.port) : undefined,
  accountId: values["account-id"],
  apiToken: values["api-token"],
  dataDir: values["data-dir"],
  operationDelayMs: values.delay ? Number(values.delay) : undefined,
});

// The credentials are this local server's own, printed so a developer can use them: nothing real is exposed.
console.log(`Local Artifacts server listening on ${server.origin}
  CLOUDFLARE_API_BASE_URL=${server.baseUrl}
  CLOUDFLARE_ACCOUNT_ID=${server.accountId}
  CLOUDFLARE_API_TOKEN=${server.apiToken}
  namespace: any (e.g. ${server.namespace})
Press Ctrl+C to stop.`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    server.close().then(() => process.exit(0));
  });
}
