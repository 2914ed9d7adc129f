import { describe, expect, it } from "vitest";
import { createClient, createRepo, type HttpError, listRepos } from "../../src/index.js";
import { startArtifactsServer } from "../../src/testing/index.js";

/**
 * The local server's rate limits, off unless asked for: REST calls per window (`rateLimit`), Git requests per
 * repo per window (`gitRateLimit`). Only authenticated requests count, so strangers cannot spend a caller's budget.
 */

describe("the REST rate limit", () => {
  it("answers 429 with Retry-After past the limit, and the default policy waits it out", async () => {
    const limited = await startArtifactsServer({ rateLimit: { requests: 3, windowMs: 1000 } });
    try {
      const noRetry = createClient({ ...limited.clientOptions, retry: 0 });
      for (let i = 0; i < 3; i++) expect((await listRepos(noRetry)).isOk()).toBe(true);
      const error = (await listRepos(noRetry))._unsafeUnwrapErr() as HttpError;
      expect(error.status).toBe(429);
      expect(error.retryAfter).toBe(1);
      expect(error.rateLimit?.policy).toBe('"default";q=3;w=1');

      const patient = createClient(limited.clientOptions);
      const started = Date.now();
      expect((await listRepos(patient)).isOk()).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    } finally {
      await limited.close();
    }
  });

  it("does not count requests without the API token", async () => {
    const limited = await startArtifactsServer({ rateLimit: { requests: 3, windowMs: 60_000 } });
    try {
      const stranger = createClient({ ...limited.clientOptions, apiToken: "not-the-token", retry: 0 });
      for (let i = 0; i < 25; i++) {
        expect(((await listRepos(stranger))._unsafeUnwrapErr() as HttpError).status).toBe(401);
      }
      const owner = createClient({ ...limited.clientOptions, retry: 0 });
      for (let i = 0; i < 3; i++) expect((await listRepos(owner)).isOk()).toBe(true);
      expect(((await listRepos(owner))._unsafeUnwrapErr() as HttpError).status).toBe(429);
    } finally {
      await limited.close();
    }
  });
});

describe("the Git rate limit", () => {
  it("answers 429 past the limit of one repo, and not for another", async () => {
    const limited = await startArtifactsServer({ gitRateLimit: { requests: 2, windowMs: 60_000 } });
    try {
      const local = createClient({ ...limited.clientOptions, retry: 0 });
      const a = (await createRepo(local, { name: "a" }))._unsafeUnwrap();
      const b = (await createRepo(local, { name: "b" }))._unsafeUnwrap();
      const get = (repo: typeof a, token = repo.token) =>
        fetch(`${repo.remote}/info/refs?service=git-upload-pack`, { headers: { authorization: `Bearer ${token}` } });
      // Refused credentials first, as many as you like: they do not count.
      for (let i = 0; i < 10; i++) expect((await get(a, "art_v1_0000")).status).toBe(401);
      expect([(await get(a)).status, (await get(a)).status]).toEqual([200, 200]);
      const third = await get(a);
      expect(third.status).toBe(429);
      expect(Number(third.headers.get("retry-after"))).toBeGreaterThan(0);
      expect((await get(b)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
