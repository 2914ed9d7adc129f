#!/usr/bin/env node
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { type ArtifactsServer, startArtifactsServer } from "./server.js";
import { DataDirRefused } from "./store.js";

/** `text` as one word for a POSIX shell. */
const shellQuote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

/** `cloudflare-artifacts-server`: the local Artifacts server, until Ctrl+C. */
const USAGE = `Usage: cloudflare-artifacts-server [options]

Runs a local Artifacts server (REST control plane and Git remotes) on 127.0.0.1 until Ctrl+C.

The API token it accepts: ARTIFACTS_SERVER_API_TOKEN (not printed), else the one DIR keeps (in DIR/api-token, mode
0600), else a random one (printed).

Options:
  --port N                 port to listen on (default: a free one)
  --account-id ID          account id it answers for (default: local-account)
  --api-token T            API token it accepts; prefer ARTIFACTS_SERVER_API_TOKEN (argv is public)
  --data-dir DIR           keep repos, state and API token in DIR across restarts (default: a temporary folder);
                           DIR must be new, empty or one this server made: nothing else in it is ever removed
  --delay MS               hold every import and fork in progress this long
  --max-body-bytes N       largest JSON body accepted (default: 1048576)
  --rate-limit N/MS        answer 429 past N REST requests per MS milliseconds
  --git-rate-limit N/MS    answer 429 past N Git requests per repo per MS milliseconds
  --token-format v1|v2     mint repo tokens as art_v1_... (default) or art_v2_x_... (both are accepted)
  --no-git-filter          advertise no partial fetches (filter), as Cloudflare's local simulator
  -h, --help               print this and exit
`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function number(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) fail(`--${flag} must be a whole number, 0 or more`);
  return value;
}

function window(flag: string, text: string | undefined): { requests: number; windowMs: number } | undefined {
  if (text === undefined) return undefined;
  const [requests, windowMs] = text.split("/");
  return { requests: number(flag, requests) ?? 0, windowMs: number(flag, windowMs) ?? fail(`--${flag} takes N/MS`) };
}

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      port: { type: "string" },
      "account-id": { type: "string" },
      "api-token": { type: "string" },
      "data-dir": { type: "string" },
      delay: { type: "string" },
      "max-body-bytes": { type: "string" },
      "rate-limit": { type: "string" },
      "git-rate-limit": { type: "string" },
      "token-format": { type: "string" },
      "no-git-filter": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  }));
} catch (error) {
  fail((error as Error).message);
}
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const text = (flag: string) => values[flag] as string | undefined;
const tokenFormat = text("token-format");
if (tokenFormat !== undefined && tokenFormat !== "v1" && tokenFormat !== "v2") fail("--token-format is v1 or v2");

if (text("api-token") !== undefined) {
  process.stderr.write(
    "warning: --api-token shows the token to every user of this machine (ps, /proc); set ARTIFACTS_SERVER_API_TOKEN instead\n",
  );
}
const fromEnvironment = Boolean(process.env.ARTIFACTS_SERVER_API_TOKEN);
let server: ArtifactsServer;
try {
  server = await startArtifactsServer({
    port: number("port", text("port")),
    accountId: text("account-id"),
    apiToken: process.env.ARTIFACTS_SERVER_API_TOKEN || text("api-token"),
    dataDir: text("data-dir"),
    operationDelayMs: number("delay", text("delay")),
    maxBodyBytes: number("max-body-bytes", text("max-body-bytes")),
    rateLimit: window("rate-limit", text("rate-limit")),
    gitRateLimit: window("git-rate-limit", text("git-rate-limit")),
    tokenFormat,
    gitFilter: !values["no-git-filter"],
  });
} catch (error) {
  // A folder refused, a port taken, git missing: one line, no stack.
  process.stderr.write(`cloudflare-artifacts-server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof DataDirRefused ? 2 : 1);
}

// The credentials are this local server's own, printed so a developer can use them, as `export` lines a shell can
// take as they are (`eval "$(… | grep ^export)"`). A token the caller gave in the environment is not printed: the
// line refers to it. One a data folder keeps is read from its file (mode 0600), so it never reaches a log either.
const token = fromEnvironment
  ? '"$ARTIFACTS_SERVER_API_TOKEN"'
  : text("data-dir") && !text("api-token")
    ? `"$(cat ${shellQuote(resolve(server.dataDir, "api-token"))})"`
    : server.apiToken;
console.log(`Local Artifacts server listening on ${server.origin}
export CLOUDFLARE_API_BASE_URL=${server.baseUrl}
export CLOUDFLARE_ACCOUNT_ID=${server.accountId}
export CLOUDFLARE_API_TOKEN=${token}
# namespace: any (e.g. ${server.namespace})${text("data-dir") ? `; data: ${server.dataDir} (kept, with this token)` : ""}
# git clone and push here with no token in sight: the cloudflare-artifacts credential helper, with the exports above
git config --global credential.${server.origin}.helper "!cloudflare-artifacts credential"
git config --global credential.${server.origin}.useHttpPath true
Press Ctrl+C to stop.`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    server.close().then(() => process.exit(0));
  });
}
