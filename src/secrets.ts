/**
 * Secrets never leave the SDK through an error message, a log line or an inspected object.
 * Two kinds exist: the client's API token (known exactly) and repo tokens (recognised by their format,
 * since a server may echo one back that this process never saw).
 */

/**
 * Anything shaped like a repo token of any version (`art_v1_<hex>`, `art_v2_x_<hex>`...), with its `?expires=`
 * suffix: wider than what `gitCredentials` parses, so a format added later does not leak.
 */
const REPO_TOKEN = /art_v(\d+)_[\w-]+(?:\?expires=\d+)?/gi;

export const REDACTED = "[REDACTED]";

/**
 * Below this length an API token is a placeholder (tests, local servers), not a credential: replacing every
 * occurrence of "t" would only mangle messages. Real Cloudflare API tokens are 40 characters.
 */
const MIN_REDACTED_LENGTH = 8;

/** Replaces every repo token and, when given, the API token inside `text`. */
export function scrub(text: string, apiToken?: string): string {
  const withoutRepoTokens = text.replace(REPO_TOKEN, `art_v$1_${REDACTED}`);
  return apiToken && apiToken.length >= MIN_REDACTED_LENGTH
    ? withoutRepoTokens.split(apiToken).join(REDACTED)
    : withoutRepoTokens;
}

/** How deep `redactJson` copies: an error body nested deeper is garbage, and recursing on would overflow the stack. */
const MAX_DEPTH = 64;

/** Deep copy of a JSON value with `redact` applied to every string, keys included; `[REDACTED]` below `MAX_DEPTH`. */
export function redactJson<T>(value: T, redact: (text: string) => string, depth = 0): T {
  if (typeof value === "string") return redact(value) as T;
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return REDACTED as T;
  if (Array.isArray(value)) return value.map((item) => redactJson(item, redact, depth + 1)) as T;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [redact(key), redactJson(item, redact, depth + 1)]),
  ) as T;
}

/**
 * Node's inspect hook, reached without importing `node:util` so the core stays runtime-agnostic. Bun and Deno
 * (since 2.x) honour it too, so one hook covers `console.log` everywhere an object can be inspected.
 */
const inspectSymbol = Symbol.for("nodejs.util.inspect.custom");

/** Makes `console.log(target)` show `shown()` instead of the object itself. */
export function showWhenInspected(target: object, shown: () => object): void {
  Object.defineProperty(target, inspectSymbol, { value: shown });
}

/**
 * Makes `console.log(result)` show `[REDACTED]` for the named fields, as the Elixir client's Inspect does.
 * The fields themselves stay readable and JSON-serializable: they are the data the caller asked for.
 */
export function redactOnInspect<T extends object>(value: T, fields: readonly (keyof T & string)[]): T {
  showWhenInspected(value, () => ({ ...value, ...Object.fromEntries(fields.map((field) => [field, REDACTED])) }));
  return value;
}
