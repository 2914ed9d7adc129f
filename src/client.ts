import ky, { type KyInstance, type Options as KyOptions } from "ky";
import { defaultRetryPolicy, type RetryOption, type RetryPolicy, resolveRetry } from "./retry.js";
import { scrub } from "./secrets.js";
import { VERSION } from "./version.js";

/**
 * The Cloudflare API base URL used when `baseUrl` is not given.
 *
 * @example
 * createClient({ accountId, apiToken, baseUrl: DEFAULT_BASE_URL });
 */
export const DEFAULT_BASE_URL = "https://api.cloudflare.com/client/v4";
/**
 * The namespace used when `namespace` is not given.
 *
 * @example
 * createClient({ accountId, apiToken }).namespace === DEFAULT_NAMESPACE; // true
 */
export const DEFAULT_NAMESPACE = "default";
/**
 * Per attempt. Longer than ky's 10 s: a fork or import answers only once it is done.
 *
 * @example
 * createClient({ accountId, apiToken, timeout: DEFAULT_TIMEOUT * 2 });
 */
export const DEFAULT_TIMEOUT = 30_000;

/**
 * What `createClient` takes: the account, the API token, and optionally the namespace, base URL, retry policy and
 * timeout. Any other ky option (`fetch`, `hooks`, `headers`...) is forwarded to `ky.create`.
 *
 * @example
 * const options: ClientOptions = { accountId, apiToken, namespace: "agents", retry: 3, timeout: 60_000 };
 * const client = createClient(options);
 */
export interface ClientOptions extends Omit<KyOptions, "prefixUrl" | "retry" | "timeout" | "json" | "body" | "method"> {
  /** Required: the Cloudflare account id. */
  accountId: string;
  /** Required: a Cloudflare API token with Artifacts Read (reads) or Artifacts Edit (writes). */
  apiToken: string;
  /** Default `"default"`. Created implicitly by its first repo. */
  namespace?: string;
  /** Default `https://api.cloudflare.com/client/v4`; point it at a local server in tests. */
  baseUrl?: string;
  /** The retry policy (see `RetryPolicy`); a number sets only the limit, `0` turns retrying off. */
  retry?: RetryOption;
  /** Milliseconds per attempt, covering the response headers and its whole body; `false` for none. Default 30,000. */
  timeout?: number | false;
}

/**
 * A configured client: pass it as the first argument of every endpoint function.
 *
 * @example
 * const client: Client = createClient({ accountId, apiToken });
 * const raw = await client.ky.get("repos").json(); // the configured ky, for anything the SDK lacks
 */
export interface Client {
  /** ky with the namespace base URL, bearer auth and user-agent; `client.ky.get("repos")` works. Extend it freely. */
  readonly ky: KyInstance;
  /** ky with the account-level Artifacts base URL (`.../accounts/{id}/artifacts/`), for namespace routes. */
  readonly accountKy: KyInstance;
  readonly accountId: string;
  readonly namespace: string;
  /** The namespace base URL, `{baseUrl}/accounts/{accountId}/artifacts/namespaces/{namespace}`. */
  readonly baseUrl: string;
  readonly retry: RetryPolicy;
  /** Per attempt, headers and body. */
  readonly timeout: number | false;
  /** Replaces this client's API token and any repo token in `text` with `[REDACTED]`: use it on anything you log. */
  readonly redact: (text: string) => string;
}

/**
 * Creates a client. Throws a `TypeError` naming the option (never repeating its value) when `accountId` or
 * `apiToken` is missing or empty, `apiToken` is not a valid header value, `namespace` is not a usable path segment or
 * `baseUrl` is not an http(s) URL without credentials: a programmer error, and the only throw in this SDK.
 * Every other option is forwarded to `ky.create` (`fetch`, `hooks`, `headers`...).
 *
 * @example
 * const client = createClient({
 *   accountId: process.env.CLOUDFLARE_ACCOUNT_ID!,
 *   apiToken: process.env.CLOUDFLARE_API_TOKEN!,
 * });
 */
export function createClient(options: ClientOptions): Client {
  const {
    accountId,
    apiToken,
    namespace = DEFAULT_NAMESPACE,
    baseUrl = DEFAULT_BASE_URL,
    retry,
    timeout = DEFAULT_TIMEOUT,
    ...kyOptions
  } = options ?? ({} as ClientOptions);
  requireSegment("accountId", accountId);
  requireSegment("apiToken", apiToken);
  requireSegment("namespace", namespace);
  // Checked now, not at the first call, where every call would fail as a network error; `user:password@` would
  // reach every error message, and fetch refuses such a URL anyway.
  if (!/^https?:\/\/[^/?#@]+([/?#]|$)/.test(baseUrl) || !URL.canParse(baseUrl)) {
    invalid("baseUrl", "must be an http(s) URL without credentials");
  }

  const accountUrl = `${baseUrl.replace(/\/+$/, "")}/accounts/${encodeURIComponent(accountId)}/artifacts`;
  const namespaceUrl = `${accountUrl}/namespaces/${encodeURIComponent(namespace)}`;
  const headers = new Headers(kyOptions.headers as HeadersInit | undefined);
  if (!headers.has("user-agent")) headers.set("user-agent", `cloudflare-artifacts/${VERSION}`);
  try {
    headers.set("authorization", `Bearer ${apiToken}`);
  } catch {
    // Not a header value (a CR, LF or NUL inside, a character past U+00FF): what `Headers` threw repeats the token.
    invalid("apiToken", "must be a valid HTTP header value");
  }

  // Retries are the transport's (retry.ts), not ky's: ky cannot tell a POST's network error from a GET's. ky's
  // timeout covers only the headers; the transport bounds the body with the rest of it. The API never redirects:
  // a redirect is answered as the HttpError it is rather than followed, so no request (and no token) goes to
  // another origin.
  const accountKy = ky.create({
    redirect: "manual",
    ...kyOptions,
    headers,
    prefixUrl: accountUrl,
    retry: 0,
    timeout,
  });
  return Object.freeze({
    ky: accountKy.extend({ prefixUrl: namespaceUrl }),
    accountKy,
    accountId,
    namespace,
    baseUrl: namespaceUrl,
    retry: resolveRetry(defaultRetryPolicy, retry),
    timeout,
    // What is sent: `Headers` trims whitespace around the token (a newline read from a file).
    redact: (text: string) => scrub(text, apiToken.trim()),
  });
}

function requireSegment(option: string, value: unknown): asserts value is string {
  if (typeof value !== "string" || value === "" || value === "." || value === "..") {
    invalid(option, "must be a non-empty string");
  }
}

function invalid(option: string, rule: string): never {
  throw new TypeError(`createClient: ${option} ${rule}`);
}
