import fc from "fast-check";
import nock from "nock";
import { describe, expect, it } from "vitest";
import {
  allRepos,
  allTokens,
  collect,
  createClient,
  createRepo,
  createToken,
  forkRepo,
  getFile,
  getNamespace,
  getRepo,
  gitCredentials,
  type HttpError,
  importRepo,
  listNamespaces,
  listRepos,
  listTokens,
  waitForRepo,
} from "../src/index.js";
import { API_TOKEN, api, BASE, envelope, ORIGIN, REPO_TOKEN, sampleRepo, testClient, useNock } from "./support/nock.js";

/**
 * Issue 12: the SDK accepts what the documented types allow, and keeps its promises on the inputs that broke
 * them. Each test failed before its fix.
 */

useNock();
const client = testClient();
const created = {
  id: "r1",
  name: "notes",
  description: null,
  default_branch: "main",
  remote: "https://x/notes.git",
  token: REPO_TOKEN,
};
const ACCOUNT_BASE = BASE.replace(/\/namespaces\/default$/, "");

describe("as lenient as the documented types", () => {
  it.each([
    [
      "a null cursor",
      { result_info: { cursor: null, per_page: 50, count: 1 } },
      { cursor: null, per_page: 50, count: 1 },
    ],
    ["no cursor", { result_info: { per_page: 50, count: 1 } }, { per_page: 50, count: 1 }],
    [
      "an empty cursor",
      { result_info: { cursor: "", per_page: 50, count: 1 } },
      { cursor: "", per_page: 50, count: 1 },
    ],
    ["no result_info", {}, {}],
    ["a null result_info", { result_info: null }, {}],
  ])("lists repos from a page with %s, and the walk ends there", async (_, extra, info) => {
    api()
      .get(`${BASE}/repos`)
      .reply(200, envelope([sampleRepo], extra));
    expect((await listRepos(client))._unsafeUnwrap()).toEqual([[sampleRepo], info]);
    api()
      .get(`${BASE}/repos`)
      .reply(200, envelope([sampleRepo], extra));
    expect((await allRepos(client))._unsafeUnwrap()).toEqual([sampleRepo]);
  });

  it("lists tokens from a page without result_info, and the walk ends there", async () => {
    const token = { id: "t1", scope: "read", state: "active", created_at: "a", expires_at: "b" };
    api()
      .get(`${BASE}/repos/notes/tokens`)
      .reply(200, envelope([token]));
    expect((await listTokens(client, "notes"))._unsafeUnwrap()).toEqual([[token], {}]);
    api()
      .get(`${BASE}/repos/notes/tokens`)
      .query({ page: 1 })
      .reply(200, envelope([token]));
    expect((await allTokens(client, "notes"))._unsafeUnwrap()).toEqual([token]);
  });

  it("reads a namespace named by `name` or by `namespace`", async () => {
    api()
      .get(`${ACCOUNT_BASE}/namespaces/a`)
      .reply(200, envelope({ name: "a", repo_count: 1 }));
    expect((await getNamespace(client, "a"))._unsafeUnwrap()).toEqual({ name: "a", repo_count: 1 });
    api()
      .get(`${ACCOUNT_BASE}/namespaces`)
      .reply(200, envelope([{ namespace: "b" }, { name: "c" }]));
    expect((await listNamespaces(client))._unsafeUnwrap()).toEqual([[{ namespace: "b" }, { name: "c" }], {}]);
    api()
      .get(`${ACCOUNT_BASE}/namespaces/d`)
      .reply(200, envelope({ name: 42 }));
    expect((await getNamespace(client, "d"))._unsafeUnwrapErr()).toMatchObject({ _tag: "HttpError", status: 200 });
  });

  it("reads a repo's status and the inline token's expiry when present, and refuses them mistyped", async () => {
    api()
      .get(`${BASE}/repos/notes`)
      .reply(200, envelope({ ...sampleRepo, status: "importing", added_later: 1 }));
    expect((await getRepo(client, "notes"))._unsafeUnwrap()).toEqual({
      ...sampleRepo,
      status: "importing",
      added_later: 1,
    });
    const withExpiry = { ...created, token_expires_at: "2026-12-01T00:00:00Z", expires_at: "2026-12-01T00:00:00Z" };
    api().post(`${BASE}/repos`).reply(201, envelope(withExpiry));
    expect((await createRepo(client, { name: "notes" }))._unsafeUnwrap()).toEqual(withExpiry);
    api()
      .post(`${BASE}/repos/notes/fork`)
      .reply(201, envelope({ ...withExpiry, objects: 3 }));
    expect((await forkRepo(client, "notes", { name: "f" }))._unsafeUnwrap()).toMatchObject({
      objects: 3,
      token_expires_at: withExpiry.token_expires_at,
    });
    api()
      .post(`${BASE}/repos/notes/import`)
      .reply(201, envelope({ ...created, expires_at: 5 }));
    const mistyped = (await importRepo(client, "notes", { url: "https://x" }))._unsafeUnwrapErr() as HttpError;
    expect(mistyped.issues?.map((issue) => issue.path)).toEqual(["result.expires_at"]);
  });
});

describe("as strict as its promises", () => {
  it.each([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN])(
    "refuses a ttl of %s before sending (JSON would carry it as null)",
    async (ttl) => {
      const result = await createToken(client, { repo: "notes", ttl });
      expect(result._unsafeUnwrapErr()).toMatchObject({ _tag: "InvalidInputError", field: "ttl" });
    },
  );

  it("refuses any non-finite number in a body or query, and sends every finite one", async () => {
    await fc.assert(
      fc.asyncProperty(fc.double(), async (limit) => {
        if (Number.isFinite(limit))
          api()
            .get(`${BASE}/repos`)
            .query({ limit: String(limit) })
            .reply(200, envelope([]));
        const result = await listRepos(client, { limit });
        expect(result.isOk()).toBe(Number.isFinite(limit));
        if (result.isErr()) expect(result.error).toMatchObject({ _tag: "InvalidInputError", field: "limit" });
      }),
      { numRuns: 60 },
    );
  });

  it.each([
    ["timeout", { timeout: -1 }],
    ["timeout", { timeout: Number.NaN }],
    ["timeout", { timeout: Number.POSITIVE_INFINITY }],
    ["limit", { retry: -1 }],
    ["maxRetryAfter", { retry: { maxRetryAfter: Number.POSITIVE_INFINITY } }],
    ["delay", { retry: { delay: Number.NaN } }],
    ["backoffLimit", { retry: { backoffLimit: -5 } }],
  ])("refuses a bad timing option (%s) before sending", async (field, options) => {
    expect((await getRepo(client, "notes", options))._unsafeUnwrapErr()).toMatchObject({
      _tag: "InvalidInputError",
      field,
    });
    const badClient = createClient({ accountId: "acc123", apiToken: API_TOKEN, ...options });
    expect((await getRepo(badClient, "notes"))._unsafeUnwrapErr()).toMatchObject({ _tag: "InvalidInputError", field });
  });

  it("waits at most the timer limit for a huge timeout, instead of timing out at once", async () => {
    api().get(`${BASE}/repos/notes`).delay(50).reply(200, envelope(sampleRepo));
    expect((await getRepo(client, "notes", { timeout: 2 ** 40 }))._unsafeUnwrap()).toEqual(sampleRepo);
  });

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

  it("redacts the rate-limit headers like every server string", async () => {
    api()
      .get(`${BASE}/repos/notes`)
      .reply(429, envelope(null), {
        ratelimit: `"default";r=0;t=30;k=${API_TOKEN}`,
        "ratelimit-policy": REPO_TOKEN,
        "retry-after": "999",
      });
    const error = (await getRepo(client, "notes"))._unsafeUnwrapErr() as HttpError;
    expect(error.rateLimit).toEqual({ ratelimit: '"default";r=0;t=30;k=[REDACTED]', policy: "art_v1_[REDACTED]" });
  });

  it("redacts raw before cutting it, so a token straddling the cut does not leak in part", async () => {
    const html = `${"x".repeat(65_536 - 20)}${API_TOKEN}${"y".repeat(100)}`;
    api().get(`${BASE}/repos/notes`).reply(502, html);
    const error = (await getRepo(client, "notes"))._unsafeUnwrapErr() as HttpError;
    expect(error.raw).toHaveLength(65_536);
    expect(error.raw).not.toContain(API_TOKEN.slice(0, 10));
    expect(error.raw?.endsWith("[REDACTED]")).toBe(false);
    expect(error.raw).toContain("[REDACT");
  });

  it("answers an error body nested 20,000 deep as an HttpError", async () => {
    const deep = `{"result":null,"success":false,"errors":[],"messages":[],"detail":${"[".repeat(20_000)}${"]".repeat(20_000)}}`;
    api().get(`${BASE}/repos/notes`).reply(500, deep, { "content-type": "application/json" });
    const error = (await getRepo(client, "notes"))._unsafeUnwrapErr();
    expect(error).toMatchObject({ _tag: "HttpError", status: 500 });
    expect(JSON.stringify(error)).toContain("[REDACTED]");
  });

  it("names the size limit, not the bytes read, when a body is too big", async () => {
    api()
      .get(`${BASE}/repos/notes`)
      .reply(200, "x".repeat(9 * 1024 * 1024));
    const error = (await getRepo(client, "notes"))._unsafeUnwrapErr() as HttpError;
    expect(error.issues).toEqual([{ path: "", message: "the response body exceeds 8388608 bytes" }]);
  });

  it("never throws nor rejects on untyped input: getFile, isExpired, collect", async () => {
    api()
      .get(`${BASE}/repos/r/file`)
      .reply(400, {
        result: null,
        success: false,
        errors: [{ code: 10100, message: "ref is required" }],
        messages: [],
      });
    const file = await getFile(client, "r", undefined as never);
    expect(file._unsafeUnwrapErr()).toMatchObject({ _tag: "HttpError", code: 10100 });
    const creds = gitCredentials(REPO_TOKEN)._unsafeUnwrap();
    expect(creds.isExpired("tomorrow" as never)).toBe(true); // the token expired in 2026-01; "now" is later
    expect(creds.isExpired(new Date(0))).toBe(false);
    const collected = await collect(undefined as never);
    expect(collected._unsafeUnwrapErr()).toMatchObject({ _tag: "InvalidInputError", field: "pages" });
  });

  it.each([
    ["interval", { interval: Number.NaN }],
    ["deadline", { deadline: Number.NaN }],
    ["maxInterval", { maxInterval: -1 }],
  ])("refuses a bad waitForRepo timing (%s) before polling", async (field, options) => {
    expect((await waitForRepo(client, "notes", options))._unsafeUnwrapErr()).toMatchObject({
      _tag: "InvalidInputError",
      field,
    });
  });

  it("keeps a floor on the polling interval: interval 0 does not flood the server", async () => {
    const busy = { result: null, success: false, errors: [{ code: 10302, message: "importing" }], messages: [] };
    let polls = 0;
    api()
      .get(`${BASE}/repos/notes`)
      .times(100)
      .reply(() => {
        polls++;
        return [409, busy];
      });
    const result = await waitForRepo(client, "notes", { interval: 0, maxInterval: 0, deadline: 450 });
    expect(result._unsafeUnwrapErr()).toMatchObject({ status: 409 });
    expect(polls).toBeGreaterThanOrEqual(3);
    expect(polls).toBeLessThanOrEqual(6);
    nock.cleanAll();
  });

  it("refuses a baseUrl that is not an http(s) URL at construction, as for a missing accountId", () => {
    for (const baseUrl of ["not a url", "ftp://x/client/v4", "", "localhost:8787"]) {
      expect(() => createClient({ accountId: "a", apiToken: API_TOKEN, baseUrl })).toThrow(
        new TypeError("createClient: baseUrl must be an http(s) URL"),
      );
    }
    expect(() => createClient({ accountId: "a", apiToken: API_TOKEN, baseUrl: `${ORIGIN}/client/v4` })).not.toThrow();
  });
});
