import type { ServerResponse } from "node:http";

/** A limit of `requests` in each fixed window of `windowMs`, as the server's `rateLimit` options give it. */
export interface RateLimit {
  requests: number;
  windowMs: number;
}

/** A fixed-window request counter; without a limit it never trips. */
export function fixedWindow(limit: RateLimit | undefined, now: () => number) {
  let windowStart = now();
  let count = 0;
  return {
    /** Counts one request; whether it is over the limit. */
    exceeded(): boolean {
      if (!limit) return false;
      if (now() - windowStart >= limit.windowMs) {
        windowStart = now();
        count = 0;
      }
      return ++count > limit.requests;
    },
    /** Whole seconds until the window resets, at least 1: the `Retry-After` to send. */
    retryAfter: () => Math.max(1, Math.ceil((limit ? windowStart + limit.windowMs - now() : 0) / 1000)),
  };
}

/** One window per key (a repo id), made on first use. */
export function keyedWindows(limit: RateLimit | undefined, now: () => number) {
  const windows = new Map<string, ReturnType<typeof fixedWindow>>();
  return (key: string) => {
    const window = windows.get(key) ?? fixedWindow(limit, now);
    windows.set(key, window);
    return window;
  };
}

/** The headers Cloudflare's API sends with a 429: `Retry-After`, `Ratelimit` and `Ratelimit-Policy`. */
export function setRateLimitHeaders(res: ServerResponse, limit: RateLimit, retryAfter: number): void {
  res.setHeader("retry-after", String(retryAfter));
  res.setHeader("ratelimit", `"default";r=0;t=${retryAfter}`);
  res.setHeader("ratelimit-policy", `"default";q=${limit.requests};w=${limit.windowMs / 1000}`);
}
