import { type ParseArgsConfig, parseArgs } from "node:util";
import { type Client, createClient } from "../index.js";
import { usage } from "./output.js";

/**
 * What every command shares: its flags parsed with the global ones, and a client from the environment
 * (`CLOUDFLARE_ACCOUNT_ID`, `CLOUDFLARE_API_TOKEN`, optional `CLOUDFLARE_API_BASE_URL`, `ARTIFACTS_NAMESPACE`), which
 * `--account-id`, `--namespace` and `--base-url` override.
 */

type Options = NonNullable<ParseArgsConfig["options"]>;

export const GLOBAL_OPTIONS: Options = {
  "account-id": { type: "string" },
  namespace: { type: "string" },
  "base-url": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

export const GLOBAL_HELP = `Global options:
  --account-id ID   instead of CLOUDFLARE_ACCOUNT_ID
  --namespace NS    instead of ARTIFACTS_NAMESPACE (default: default)
  --base-url URL    instead of CLOUDFLARE_API_BASE_URL (e.g. a local server's)
  --json            print the API's result (or the error) as JSON
  -h, --help        print help
The API token comes from CLOUDFLARE_API_TOKEN only, never from a flag.`;

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** Parses a command's arguments; an unknown flag or a missing value is a usage error (exit 2). */
export function parse(args: string[], options: Options): Parsed {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { ...GLOBAL_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Parsed["values"], positionals };
  } catch (error) {
    throw usage(`usage: ${(error as Error).message}`);
  }
}

export const text = (parsed: Parsed, name: string): string | undefined => {
  const value = parsed.values[name];
  return typeof value === "string" ? value : undefined;
};

/** A whole number flag, or a usage error. */
export function integer(parsed: Parsed, name: string): number | undefined {
  const value = text(parsed, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw usage(`usage: --${name} takes a whole number`);
  return Number(value);
}

export function positional(parsed: Parsed, index: number, name: string): string {
  const value = parsed.positionals[index];
  if (value === undefined) throw usage(`usage: ${name} is required`);
  return value;
}

/** Account, token and namespace from the environment and flags; missing ones are one line and exit 2. */
export function clientFrom(parsed: Parsed, namespace?: string): Client {
  const accountId = text(parsed, "account-id") ?? process.env.CLOUDFLARE_ACCOUNT_ID;
  const apiToken = process.env.CLOUDFLARE_API_TOKEN;
  if (!accountId || !apiToken) {
    throw usage("missing credentials: set CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN (or pass --account-id)");
  }
  try {
    return createClient({
      accountId,
      apiToken,
      namespace: namespace ?? text(parsed, "namespace") ?? (process.env.ARTIFACTS_NAMESPACE || undefined),
      baseUrl: text(parsed, "base-url") ?? (process.env.CLOUDFLARE_API_BASE_URL || undefined),
    });
  } catch (error) {
    throw usage(`usage: ${(error as Error).message}`);
  }
}

/** Who a commit made from the shell is by: the flags, else git's own environment variables, else the command. */
export function authorOf(parsed: Parsed): { name: string; email: string } {
  return {
    name: text(parsed, "author-name") ?? process.env.GIT_AUTHOR_NAME ?? "cloudflare-artifacts",
    email: text(parsed, "author-email") ?? process.env.GIT_AUTHOR_EMAIL ?? "cli@cloudflare-artifacts.invalid",
  };
}
