import { text as readStream } from "node:stream/consumers";
import { createToken, gitCredentials } from "../index.js";
import { clientFrom, integer, parse, positional, text } from "./context.js";
import { usage } from "./output.js";
import type { Command } from "./resources.js";

/**
 * A Git credential helper (gitcredentials(7)) that mints a short-lived repo token for the repo Git asks about.
 *
 *   git config --global credential.https://<account>.artifacts.cloudflare.net.helper "!cloudflare-artifacts credential"
 *   git config --global credential.https://<account>.artifacts.cloudflare.net.useHttpPath true
 *
 * On `get`, only for this account's Artifacts Git host (or the host of CLOUDFLARE_API_BASE_URL, for a local server),
 * a path `git/<namespace>/<repo>.git` and `protocol=https` (or `http` on a loopback host), it answers `username`,
 * `password` and `password_expiry_utc`. For any other
 * host it answers nothing and mints nothing. `store` and `erase` do nothing: every token is minted fresh.
 */
export const credential: Command = {
  usage: "credential get|store|erase [--scope read|write] [--ttl SECONDS]   (a Git credential helper)",
  async run(args) {
    const parsed = parse(args, { scope: { type: "string" }, ttl: { type: "string" } });
    const operation = positional(parsed, 0, "get|store|erase");
    if (!["get", "store", "erase"].includes(operation)) throw usage("usage: credential get|store|erase");
    const request = Object.fromEntries(
      (await readStream(process.stdin))
        .split("\n")
        .filter((line) => line.includes("="))
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
    if (operation !== "get") return;
    // Which host is this account's, from the flags and environment alone: a request for any other host (git asks
    // every helper about every host) is answered with nothing, before any credential is needed.
    const accountId = text(parsed, "account-id") ?? process.env.CLOUDFLARE_ACCOUNT_ID;
    const local = text(parsed, "base-url") ?? process.env.CLOUDFLARE_API_BASE_URL;
    const hosts = [
      accountId ? `${accountId}.artifacts.cloudflare.net` : undefined,
      local && URL.canParse(local) ? new URL(local).host : undefined,
    ];
    const match = /^git\/([^/]+)\/([^/]+)\.git\/?$/.exec(request.path ?? "");
    if (!request.host || !hosts.includes(request.host) || !match) return;
    // A token goes over TLS only; plain http only to this machine (a local server).
    const loopback = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(request.host);
    if (request.protocol !== "https" && !(request.protocol === "http" && loopback)) return;
    const namespace = decoded(match[1]);
    const repo = decoded(match[2]);
    // Not a path the API could name (bad percent-encoding): no repo of this account's, so no answer.
    if (namespace === undefined || repo === undefined) return;
    const scope = text(parsed, "scope") ?? "write";
    if (scope !== "read" && scope !== "write") throw usage("usage: --scope is read or write");
    const minted = await createToken(clientFrom(parsed, namespace), {
      repo,
      scope,
      ttl: integer(parsed, "ttl") ?? 900,
    });
    // Git takes no answer as "ask elsewhere": a failure is said on stderr, never as a credential.
    if (minted.isErr()) {
      process.stderr.write(`cloudflare-artifacts credential: ${minted.error.message}\n`);
      return;
    }
    const creds = gitCredentials(minted.value.plaintext);
    if (creds.isErr()) return;
    const { secret, expiresAt } = creds.value;
    const expiry = expiresAt ? `password_expiry_utc=${Math.floor(expiresAt.getTime() / 1000)}\n` : "";
    process.stdout.write(`username=x\npassword=${secret}\n${expiry}`);
  },
};

/** A percent-encoded path segment, decoded; `undefined` when it is not valid percent-encoding. */
function decoded(segment: string | undefined): string | undefined {
  try {
    return segment === undefined ? undefined : decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
