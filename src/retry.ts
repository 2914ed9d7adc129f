/**
 * When a failed attempt is sent again, and after how long. The rules are fixed by what is safe:
 * GET and DELETE are idempotent, so they are retried on 408, 429, any 5xx and network errors; a POST
 * may have been applied before it failed (a repo created twice is worse than an error), so it is
 * retried only on 429, which the server answers before doing anything. Timeouts are not retried: the
 * caller's timeout is the caller's decision. The numbers are configurable per client and per call.
 *
 * @example
 * const client = createClient({ accountId, apiToken, retry: { limit: 4, maxRetryAfter: 30_000 } });
 */
export interface RetryPolicy {
  /** Retries after the first attempt. `0` turns retrying off. Default 2. */
  limit: number;
  /** The first backoff in ms, doubled each retry, then fully jittered (a random wait up to it). Default 300. */
  delay: number;
  /** The most one backoff may wait, in ms. Default 10,000. */
  backoffLimit: number;
  /**
   * The longest `Retry-After` honoured, in ms. A server asking for more ends the call at once with its
   * `HttpError` (whose `retryAfter` says how long it asked for). Default 60,000.
   */
  maxRetryAfter: number;
}

/**
 * The policy a client uses unless told otherwise: 2 retries, 300 ms doubling up to 10 s, `Retry-After` up to 60 s.
 *
 * @example
 * createClient({ accountId, apiToken, retry: { ...defaultRetryPolicy, limit: 5 } });
 */
export const defaultRetryPolicy: RetryPolicy = { limit: 2, delay: 300, backoffLimit: 10_000, maxRetryAfter: 60_000 };

/**
 * A number is the retry limit, as in ky; an object overrides some fields.
 *
 * @example
 * await getRepo(client, "notes", { retry: 0 }); // no retry for this call
 */
export type RetryOption = number | Partial<RetryPolicy>;

export function resolveRetry(base: RetryPolicy, option: RetryOption | undefined): RetryPolicy {
  if (option === undefined) return base;
  return typeof option === "number" ? { ...base, limit: option } : { ...base, ...option };
}

/** How an attempt ended, as far as retrying cares: a status (with its Retry-After in ms), or no response. */
export type AttemptOutcome = { status: number | "network" | "timeout" | "abort"; retryAfter?: number | undefined };

/** Milliseconds to wait before retry number `retry` (1-based), or `undefined` to stop and answer with this attempt. */
export function retryDelay(
  policy: RetryPolicy,
  method: string,
  outcome: AttemptOutcome,
  retry: number,
  random: () => number = Math.random,
): number | undefined {
  if (retry > policy.limit || !isRetriable(method, outcome.status)) return undefined;
  if (outcome.retryAfter !== undefined) {
    return outcome.retryAfter <= policy.maxRetryAfter ? outcome.retryAfter : undefined;
  }
  return backoff(policy, retry, random);
}

/** Full-jitter exponential backoff: a random wait under `delay * 2^(retry - 1)` ms, and under `backoffLimit`. */
export const backoff = (
  { delay, backoffLimit }: Pick<RetryPolicy, "delay" | "backoffLimit">,
  retry: number,
  random: () => number = Math.random,
): number => random() * Math.min(backoffLimit, delay * 2 ** (retry - 1));

function isRetriable(method: string, status: AttemptOutcome["status"]): boolean {
  // A non-number status (network, timeout, abort) compares false with numbers.
  return (
    status === 429 ||
    (/^(get|delete)$/i.test(method) &&
      (status === "network" || status === 408 || ((status as number) >= 500 && (status as number) <= 599)))
  );
}

/** `Retry-After` as seconds or an HTTP date, in ms from `now`; `undefined` when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | undefined {
  if (!header?.trim()) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
