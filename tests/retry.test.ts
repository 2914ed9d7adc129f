import nock from "nock";
import { describe, expect, it } from "vitest";
import { createRepo, defaultRetryPolicy, deleteRepo, getRepo, type HttpError, listRepos } from "../src/index.js";
import {
  backoff,
  parseRetryAfter,
  type RetryPolicy,
  resolveRetry as resolveRetryForTest,
  retryDelay,
} from "../src/retry.js";
import { api, BASE, envelope, failure, REPO_TOKEN, sampleRepo, testClient, useNock } from "./support/nock.js";

useNock();

describe("retryDelay: the policy's rules", () => {
  const policy: RetryPolicy = { limit: 3, delay: 300, backoffLimit: 1000, maxRetryAfter: 60_000 };
  const full = () => 1;
  const at = (method: string, status: number | "network" | "timeout" | "abort", retry = 1, retryAfter?: number) =>
    retryDelay(policy, method, { status, retryAfter } as never, retry, full);

  it.each([408, 429, 500, 502, 503, 504, 599])("retries GET and DELETE on %i", (status) => {
    expect(at("get", status)).toBe(300);
    expect(at("DELETE", status)).toBe(300);
  });

  it.each([400, 401, 403, 404, 409, 413, 422])("never retries %i", (status) => {
    expect(at("GET", status)).toBeUndefined();
  });

  it("retries GET and DELETE on network errors, never on timeouts or aborts", () => {
    expect(at("GET", "network")).toBe(300);
    expect(at("DELETE", "network")).toBe(300);
    expect(at("GET", "timeout")).toBeUndefined();
    expect(at("GET", "abort")).toBeUndefined();
  });

  it.each([500, 502, 503, 504, 408, "network"] as const)("never retries a POST on %s", (status) => {
    expect(at("POST", status)).toBeUndefined();
  });

  it("retries a POST on 429", () => {
    expect(at("POST", 429)).toBe(300);
  });

  it("backs off exponentially up to backoffLimit, with full jitter", () => {
    expect([1, 2, 3].map((retry) => at("GET", 503, retry))).toEqual([300, 600, 1000]);
    expect(retryDelay(policy, "GET", { status: 503 }, 2, () => 0.25)).toBe(150);
    expect(retryDelay(policy, "GET", { status: 503 }, 2, () => 0)).toBe(0);
  });

  it("backs off the same way wherever it waits: under delay * 2^(retry - 1), and under backoffLimit", () => {
    const race = { delay: 100, backoffLimit: 3200 };
    expect([1, 2, 6, 7, 30].map((retry) => backoff(race, retry, full))).toEqual([100, 200, 3200, 3200, 3200]);
    expect(backoff(race, 3, () => 0.5)).toBe(200);
    const drawn = backoff(race, 1);
    expect(drawn).toBeGreaterThanOrEqual(0);
    expect(drawn).toBeLessThan(100);
  });

  it("stops after limit retries", () => {
    expect(at("GET", 503, 3)).toBe(1000);
    expect(at("GET", 503, 4)).toBeUndefined();
    expect(retryDelay({ ...policy, limit: 0 }, "GET", { status: 503 }, 1, full)).toBeUndefined();
  });

  it("waits exactly Retry-After when within maxRetryAfter, and not at all beyond it", () => {
    expect(at("GET", 429, 1, 2000)).toBe(2000);
    expect(at("POST", 429, 1, 60_000)).toBe(60_000);
    expect(at("GET", 429, 1, 60_001)).toBeUndefined();
    expect(at("GET", 503, 1, 5000)).toBe(5000);
  });

  it("has the documented defaults", () => {
    expect(defaultRetryPolicy).toEqual({ limit: 2, delay: 300, backoffLimit: 10_000, maxRetryAfter: 60_000 });
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-11-25T12:00:00Z");
  it.each([
    ["5", 5000],
    ["0", 0],
    ["1.5", 1500],
    ["Wed, 25 Nov 2026 12:00:10 GMT", 10_000],
    ["Wed, 25 Nov 2026 11:59:00 GMT", 0],
  ])("reads %j as %i ms", (header, ms) => {
    expect(parseRetryAfter(header, now)).toBe(ms);
  });
  it.each([null, "", "soon"])("ignores %j", (header) => {
    expect(parseRetryAfter(header, now)).toBeUndefined();
  });
});

/** Counts requests to one route, answering each with the next of `replies`. */
function sequence(
  method: "get" | "post" | "delete",
  path: string,
  replies: (readonly [status: number, body: unknown, headers?: Record<string, string>])[],
) {
  const counter = { count: 0 };
  api()
    [method](path)
    .times(replies.length)
    .reply(() => {
      const [status, body, headers = {}] = replies[counter.count++]!;
      return [status, JSON.stringify(body), headers];
    });
  return counter;
}

const fast = { limit: 2, delay: 1, backoffLimit: 5 };
const client = testClient({ retry: fast });

describe("retries on the wire", () => {
  it("retries a GET through 503s until it succeeds", async () => {
    const calls = sequence("get", `${BASE}/repos/notes`, [
      [503, failure(10400, "busy")],
      [503, failure(10400, "busy")],
      [200, envelope(sampleRepo)],
    ]);
    expect((await getRepo(client, "notes"))._unsafeUnwrap()).toEqual(sampleRepo);
    expect(calls.count).toBe(3);
  });

  it("gives up after the limit with the last error", async () => {
    const calls = sequence("get", `${BASE}/repos/notes`, [
      [503, failure(10400, "one")],
      [502, failure(10400, "two")],
      [500, failure(10400, "three")],
    ]);
    const error = (await getRepo(client, "notes"))._unsafeUnwrapErr() as HttpError;
    expect([error.status, error.code, error.body.errors[0]?.message]).toEqual([500, 10400, "three"]);
    expect(calls.count).toBe(3);
  });

  it("retries a GET after a network error", async () => {
    api().get(`${BASE}/repos/notes`).replyWithError({ code: "ECONNRESET", message: "reset" });
    api().get(`${BASE}/repos/notes`).reply(200, envelope(sampleRepo));
    expect((await getRepo(client, "notes")).isOk()).toBe(true);
  });

  it("retries a DELETE on 5xx", async () => {
    const calls = sequence("delete", `${BASE}/repos/notes`, [
      [500, failure(10400, "oops")],
      [202, envelope({ id: "r" })],
    ]);
    expect((await deleteRepo(client, "notes"))._unsafeUnwrap()).toEqual({ id: "r" });
    expect(calls.count).toBe(2);
  });

  it.each([500, 502, 503])("never sends a create twice on %i", async (status) => {
    const calls = sequence("post", `${BASE}/repos`, [
      [status, failure(10400, "maybe created")],
      [201, envelope({ ...sampleRepo, token: REPO_TOKEN })],
    ]);
    const error = (await createRepo(client, { name: "notes" }))._unsafeUnwrapErr() as HttpError;
    expect(error.status).toBe(status);
    expect(calls.count).toBe(1);
    // The second reply is left unused on purpose; drop it so the suite's pending-mock check stays meaningful.
    nock.cleanAll();
  });

  it("never sends a create twice after a network error", async () => {
    api().post(`${BASE}/repos`).replyWithError({ code: "ECONNRESET", message: "reset" });
    const error = (await createRepo(client, { name: "notes" }))._unsafeUnwrapErr();
    expect(error).toMatchObject({ _tag: "TransportError", reason: "network" });
  });

  it("retries a create on 429, which the server answers before doing anything", async () => {
    const calls = sequence("post", `${BASE}/repos`, [
      [429, failure(971, "slow down"), { "retry-after": "0" }],
      [201, envelope({ ...sampleRepo, token: REPO_TOKEN })],
    ]);
    expect((await createRepo(client, { name: "notes" })).isOk()).toBe(true);
    expect(calls.count).toBe(2);
  });

  it("honours Retry-After in seconds", async () => {
    sequence("get", `${BASE}/repos`, [
      [429, failure(971, "slow down"), { "retry-after": "1" }],
      [200, envelope([], { result_info: { cursor: "", per_page: 50, count: 0 } })],
    ]);
    const started = Date.now();
    expect((await listRepos(client)).isOk()).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it("honours Retry-After as an HTTP date", async () => {
    const date = new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000).toUTCString();
    sequence("get", `${BASE}/repos`, [
      [503, failure(10400, "maintenance"), { "retry-after": date }],
      [200, envelope([], { result_info: { cursor: "", per_page: 50, count: 0 } })],
    ]);
    const started = Date.now();
    expect((await listRepos(client)).isOk()).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  it("fails at once when Retry-After exceeds the cap, exposing the wait and the rate-limit headers", async () => {
    const calls = sequence("get", `${BASE}/repos`, [
      [
        429,
        failure(971, "slow down"),
        { "retry-after": "3600", ratelimit: '"default";r=0;t=3600', "ratelimit-policy": '"default";q=1200;w=300' },
      ],
    ]);
    const started = Date.now();
    const error = (await listRepos(client))._unsafeUnwrapErr() as HttpError;
    // At once: far below the hour asked for, with room for a slow machine.
    expect(Date.now() - started).toBeLessThan(5000);
    expect(calls.count).toBe(1);
    expect(error).toMatchObject({ _tag: "HttpError", status: 429, retryAfter: 3600 });
    expect(error.rateLimit).toEqual({ ratelimit: '"default";r=0;t=3600', policy: '"default";q=1200;w=300' });
  });

  it("lets one call raise the cap", async () => {
    const calls = sequence("get", `${BASE}/repos/notes`, [
      [429, failure(971, "slow down"), { "retry-after": "0.2" }],
      [200, envelope(sampleRepo)],
    ]);
    const strict = testClient({ retry: { ...fast, maxRetryAfter: 100 } });
    expect((await getRepo(strict, "notes", { retry: { maxRetryAfter: 1000 } })).isOk()).toBe(true);
    expect(calls.count).toBe(2);
  });

  it("aborts a retry wait at once", async () => {
    sequence("get", `${BASE}/repos/notes`, [[429, failure(971, "slow down"), { "retry-after": "30" }]]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const error = (await getRepo(client, "notes", { signal: controller.signal }))._unsafeUnwrapErr();
    expect(error).toMatchObject({ _tag: "TransportError", reason: "abort" });
    // Far below the 30 s asked for.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("turns retries off with retry: 0, per call or per client", async () => {
    const perCall = sequence("get", `${BASE}/repos/notes`, [[503, failure(10400, "busy")]]);
    expect((await getRepo(client, "notes", { retry: 0 })).isErr()).toBe(true);
    expect(perCall.count).toBe(1);
    const perClient = sequence("get", `${BASE}/repos/notes`, [[503, failure(10400, "busy")]]);
    expect((await getRepo(testClient({ retry: 0 }), "notes")).isErr()).toBe(true);
    expect(perClient.count).toBe(1);
  });

  it("takes a client-wide limit", async () => {
    const calls = sequence("get", `${BASE}/repos/notes`, [
      [503, failure(10400, "busy")],
      [503, failure(10400, "busy")],
    ]);
    expect((await getRepo(testClient({ retry: { ...fast, limit: 1 } }), "notes")).isErr()).toBe(true);
    expect(calls.count).toBe(2);
  });
});

describe("retry policy", () => {
  it("retries only GET and DELETE, by exact name, on 5xx", () => {
    const policy = { limit: 2, delay: 100, backoffLimit: 1000, maxRetryAfter: 1000 };
    expect(retryDelay(policy, "get", { status: 503 }, 1, () => 1)).toBe(100);
    expect(retryDelay(policy, "DELETE", { status: 500 }, 1, () => 1)).toBe(100);
    for (const method of ["forget", "getx", "post", "deleted"]) {
      expect(retryDelay(policy, method, { status: 503 }, 1, () => 1)).toBeUndefined();
    }
    expect(retryDelay(policy, "get", { status: 499 }, 1, () => 1)).toBeUndefined();
    expect(retryDelay(policy, "get", { status: 600 }, 1, () => 1)).toBeUndefined();
    expect(retryDelay(policy, "get", { status: "timeout" }, 1, () => 1)).toBeUndefined();
  });

  it("reads a blank Retry-After as none, and keeps a policy unchanged without an option", () => {
    expect(parseRetryAfter("   ")).toBeUndefined();
    expect(parseRetryAfter("2")).toBe(2000);
    const policy = { limit: 1, delay: 1, backoffLimit: 1, maxRetryAfter: 1 };
    expect(resolveRetryForTest(policy, undefined)).toBe(policy);
  });
});

describe("Retry-After past the timer limit", () => {
  it("does not retry at once when a Retry-After is past the timer limit", async () => {
    const patient = testClient({ retry: { limit: 1, maxRetryAfter: 2 ** 40 } });
    api().get(`${BASE}/repos/notes`).reply(429, envelope(null), { "retry-after": "3000000" });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    const result = await getRepo(patient, "notes", { signal: controller.signal });
    // It waited (until the abort), rather than firing the retry at once.
    expect(result._unsafeUnwrapErr()).toMatchObject({ _tag: "TransportError", reason: "abort" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });
});
