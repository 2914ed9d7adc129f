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
    const client = clientFrom(parsed);
    const local = text(parsed, "base-url") ?? process.env.CLOUDFLARE_API_BASE_URL;
    const hosts = [`${client.accountId}.artifacts.cloudflare.net`, local ? new URL(local).host : undefined];
    const match = /^git\/([^/]+)\/([^/]+)\.git\/?$/.exec(request.path ?? "");
    if (!hosts.includes(request.host) || !match) return;
    // A token goes over TLS only; plain http only to this machine (a local server).
    const loopback = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(request.host ?? "");
    if (request.protocol !== "https" && !(request.protocol === "http" && loopback)) return;
    const [, namespace = "", repo = ""] = match;
    const scope = text(parsed, "scope") ?? "write";
    if (scope !== "read" && scope !== "write") throw usage("usage: --scope is read or write");
    const minted = await createToken(clientFrom(parsed, decodeURIComponent(namespace)), {
      repo: decodeURIComponent(repo),
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
