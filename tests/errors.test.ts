import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  createClient,
  createRepo,
  createToken,
  deleteRepo,
  ErrorCode,
  getRepo,
  HttpError,
  InvalidInputError,
  listTokens,
  PaginationError,
  TransportError,
} from "../src/index.js";
import {
  API_TOKEN,
  api,
  BASE,
  countUnmatched,
  envelope,
  failure,
  REPO_TOKEN,
  sampleRepo,
  testClient,
  useNock,
} from "./support/nock.js";

/**
 * The error union as callers meet it: `HttpError` for every answer without a result (its reason, status, envelope,
 * code, issues, raw text), `TransportError` for none, their names, messages and serialization.
 */

useNock();
const client = testClient();

describe("error classes", () => {
  it("name themselves after their tag, and the abort says so", () => {
    const controller = new AbortController();
    controller.abort("why");
    const abort = new TransportError("abort", "Aborted by the caller", "why");
    expect([
      new HttpError(500, envelope(null), new Response()).name,
      abort.name,
      new InvalidInputError("m", "f").name,
    ]).toEqual(["HttpError", "TransportError", "InvalidInputError"]);
    expect(new PaginationError("c", 3)).toMatchObject({
      name: "PaginationError",
      _tag: "PaginationError",
      message: "page 3 repeated an earlier cursor",
    });
  });

  it("joins every upstream error in the message, and names issues", () => {
    const two = {
      ...envelope(null),
      success: false,
      errors: [
        { code: 1, message: "a" },
        { code: 2, message: "b" },
      ],
    };
    expect(new HttpError(400, two, new Response()).message).toBe("HTTP 400: [1] a; [2] b");
    const issues = [
      { path: "result.id", message: "bad" },
      { path: "", message: "worse" },
    ];
    expect(new HttpError(200, { ...envelope(null), success: false }, new Response(), undefined, issues).message).toBe(
      "HTTP 200: unexpected response body (result.id: bad; worse)",
    );
  });

  it("inspects as what toJSON gives", () => {
    const error = new InvalidInputError("bad", "field");
    expect(inspect(error)).toBe(inspect(error.toJSON()));
    expect(error.toJSON()).toEqual({
      field: "field",
      _tag: "InvalidInputError",
      name: "InvalidInputError",
      message: "bad",
    });
  });

  it("refuses names that are not strings or not well-formed, with their messages", async () => {
    expect((await getRepo(testClient(), 42 as never))._unsafeUnwrapErr()).toMatchObject({
      message: "name must be a string",
      field: "name",
    });
    expect((await getRepo(testClient(), "\uD800"))._unsafeUnwrapErr()).toMatchObject({
      message: "name is not well-formed Unicode",
      field: "name",
    });
    const policy = { limit: 0, delay: 0, backoffLimit: 0, maxRetryAfter: 0 };
    const untyped = await getRepo({ timeout: 1000, retry: policy } as never, "notes");
    expect(untyped._unsafeUnwrapErr().message).toMatch(/^Unexpected failure: TypeError: /);
  });

  it("names an unusable number and the timing option it came from", async () => {
    expect((await getRepo(testClient(), "n", { timeout: -1 }))._unsafeUnwrapErr()).toMatchObject({
      message: "timeout is not a usable number",
    });
    expect(
      (await getRepo(testClient({ timeout: false }), "n", { retry: { delay: -1 } }))._unsafeUnwrapErr(),
    ).toMatchObject({
      field: "delay",
    });
    api().get(`${BASE}/repos/n`).reply(200, envelope(sampleRepo));
    expect((await getRepo(testClient({ timeout: false }), "n")).isOk()).toBe(true);
  });
});

describe("errors: what they show and serialize", () => {
  it("serializes and inspects as its fields, with the message, and never the response", async () => {
    api()
      .get(`${BASE}/repos/notes`)
      .reply(404, { result: null, success: false, errors: [{ code: 10200, message: "not found" }], messages: [] });
    const error = (await getRepo(client, "notes"))._unsafeUnwrapErr() as HttpError;
    const json = JSON.parse(JSON.stringify(error));
    expect(json).toEqual({
      status: 404,
      body: { result: null, success: false, errors: [{ code: 10200, message: "not found" }], messages: [] },
      _tag: "HttpError",
      name: "HttpError",
      reason: "status",
      message: "HTTP 404: [10200] not found",
    });
    expect(error.response.status).toBe(404);
    const shown = inspect(error);
    expect(shown).toContain("_tag: 'HttpError'");
    expect(shown).toContain("message: 'HTTP 404: [10200] not found'");
    expect(shown).not.toContain("response");
  });

  it("has no code, retryAfter or rateLimit when the server sent none (an HTML 502)", async () => {
    api().get(`${BASE}/repos/notes`).reply(502, "<html>bad gateway</html>");
    const error = (await getRepo(client, "notes"))._unsafeUnwrapErr() as HttpError;
    expect(error.code).toBeUndefined();
    expect(error.retryAfter).toBeUndefined();
    expect(error.rateLimit).toBeUndefined();
    expect(error.message).toBe("HTTP 502: no details");
  });

  it.each([
    [{ ratelimit: '"default";r=0;t=9' }, { ratelimit: '"default";r=0;t=9', policy: undefined }],
    [{ "ratelimit-policy": '"default";q=100;w=60' }, { ratelimit: undefined, policy: '"default";q=100;w=60' }],
  ])("keeps a rate limit with only one of its two headers (%j)", async (headers, rateLimit) => {
    api()
      .get(`${BASE}/repos/notes`)
      .reply(429, envelope(null), { ...headers, "retry-after": "3600" });
    const error = (await getRepo(client, "notes"))._unsafeUnwrapErr() as HttpError;
    expect(error.rateLimit).toEqual(rateLimit);
    expect(error.retryAfter).toBe(3600);
  });

  it("says what happened while hiding the token", async () => {
    api()
      .get(`${BASE}/repos/notes`)
      .reply(403, {
        result: null,
        success: false,
        errors: [{ code: 9109, message: `bad token ${API_TOKEN}` }],
        messages: [],
      });
    const error = (await getRepo(client, "notes"))._unsafeUnwrapErr() as HttpError;
    expect(error.message).toBe("HTTP 403: [9109] bad token [REDACTED]");
    expect(error).toMatchObject({ status: 403, code: 9109 });
  });
});

describe("HttpError", () => {
  it("maps 400 INVALID_TTL so callers match on the upstream code", async () => {
    const body = failure(10103, "ttl must be between 60 and 31536000 seconds");
    api().post(`${BASE}/tokens`, { repo: "notes", ttl: 99_999_999 }).reply(400, body);
    const error = (await createToken(client, { repo: "notes", ttl: 99_999_999 }))._unsafeUnwrapErr();
    expect(error).toBeInstanceOf(HttpError);
    if (error._tag !== "HttpError") throw error;
    expect(error.status).toBe(400);
    expect(error.body).toEqual(body);
    expect(error.body.errors[0]?.code === ErrorCode.INVALID_TTL).toBe(true);
    expect(error.code).toBe(10103);
    expect(error.message).toBe("HTTP 400: [10103] ttl must be between 60 and 31536000 seconds");
    expect(error.response.status).toBe(400);
    expect(error.raw).toBeUndefined();
    expect(error.issues).toBeUndefined();
    expect(error.reason).toBe("status");
  });

  it.each([
    [404, ErrorCode.NOT_FOUND, "repo not found"],
    [409, ErrorCode.ALREADY_EXISTS, "repo already exists"],
  ])("maps %i with code %i", async (status, code, message) => {
    api().get(`${BASE}/repos/notes`).reply(status, failure(code, message));
    const error = (await getRepo(client, "notes"))._unsafeUnwrapErr();
    expect(error).toMatchObject({ _tag: "HttpError", status, body: failure(code, message) });
  });

  it("completes an envelope that omits result and messages", async () => {
    api()
      .get(`${BASE}/repos/notes`)
      .reply(403, { success: false, errors: [{ code: 10000, message: "Authentication error" }] });
    const error = (await getRepo(client, "notes"))._unsafeUnwrapErr() as HttpError;
    expect(error.body).toEqual({
      result: null,
      success: false,
      errors: [{ code: 10000, message: "Authentication error" }],
      messages: [],
    });
  });

  it("treats a 2xx with success: false as an error", async () => {
    const body = { ...failure(10400, "internal"), result: null };
    api().get(`${BASE}/repos/notes`).reply(200, body);
    const error = (await getRepo(client, "notes"))._unsafeUnwrapErr();
    expect(error).toMatchObject({ _tag: "HttpError", status: 200, body, issues: undefined, reason: "envelope" });
  });

  it("rejects a 2xx of the wrong shape with the schema's issues", async () => {
    const { remote: _, ...withoutRemote } = sampleRepo;
    api()
      .get(`${BASE}/repos/notes`)
      .reply(200, envelope({ ...withoutRemote, read_only: "no" }));
    const error = (await getRepo(client, "notes"))._unsafeUnwrapErr() as HttpError;
    expect(error._tag).toBe("HttpError");
    expect(error.status).toBe(200);
    expect(error.body.result).toEqual({ ...withoutRemote, read_only: "no" });
    expect(error.issues?.map((issue) => issue.path)).toEqual(["result.read_only", "result.remote"]);
    expect(error.message).toMatch(/^HTTP 200: unexpected response body \(result\.read_only: Invalid type/);
    expect(error.reason).toBe("shape");
  });

  it("rejects a list whose result_info is not an object", async () => {
    api()
      .get(`${BASE}/repos/notes/tokens`)
      .reply(200, envelope([], { result_info: "page 1" }));
    const error = (await listTokens(client, "notes"))._unsafeUnwrapErr() as HttpError;
    expect(error.issues?.map((issue) => issue.path)).toEqual(["result_info"]);
  });

  it("synthesizes an envelope for an HTML 502 page and keeps the text", async () => {
    const html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    api().get(`${BASE}/repos/notes`).reply(502, html, { "content-type": "text/html" });
    const error = (await getRepo(client, "notes"))._unsafeUnwrapErr() as HttpError;
    expect(error).toMatchObject({
      _tag: "HttpError",
      status: 502,
      body: { result: null, success: false, errors: [], messages: [] },
      raw: html,
      issues: undefined,
      reason: "status",
    });
    expect(error.message).toBe("HTTP 502: no details");
  });

  it("reports an empty 202 where a result is expected", async () => {
    api().delete(`${BASE}/repos/notes`).reply(202, "");
    const error = (await deleteRepo(client, "notes"))._unsafeUnwrapErr() as HttpError;
    expect(error).toMatchObject({ _tag: "HttpError", status: 202, raw: "", reason: "shape" });
    expect(error.body.errors).toEqual([]);
    expect(error.issues?.length).toBeGreaterThan(0);
  });

  it("reports truncated JSON with the text kept", async () => {
    const truncated = JSON.stringify(envelope(sampleRepo)).slice(0, 40);
    api().get(`${BASE}/repos/notes`).reply(200, truncated);
    const error = (await getRepo(client, "notes"))._unsafeUnwrapErr() as HttpError;
    expect(error).toMatchObject({ _tag: "HttpError", status: 200, raw: truncated, reason: "shape" });
  });
});

describe("TransportError", () => {
  it("reports a closed port as a network error", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const closed = createClient({
      accountId: "a",
      apiToken: API_TOKEN,
      baseUrl: `http://127.0.0.1:${port}/client/v4`,
      retry: 0,
    });
    const error = (await getRepo(closed, "notes"))._unsafeUnwrapErr();
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ _tag: "TransportError", reason: "network" });
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it("reports a timeout as reason timeout", async () => {
    api().get(`${BASE}/repos/notes`).delay(500).reply(200, envelope(sampleRepo));
    const error = (await getRepo(client, "notes", { timeout: 100 }))._unsafeUnwrapErr();
    expect(error).toMatchObject({ _tag: "TransportError", reason: "timeout" });
  });

  it("reports the caller's abort as reason abort, with the signal's reason as cause", async () => {
    api().get(`${BASE}/repos/notes`).delay(500).reply(200, envelope(sampleRepo));
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("user cancelled")), 50);
    const error = (await getRepo(client, "notes", { signal: controller.signal }))._unsafeUnwrapErr();
    expect(error).toMatchObject({ _tag: "TransportError", reason: "abort" });
    expect((error as TransportError).cause).toEqual(new Error("user cancelled"));
  });

  it("does not send a call whose signal is already aborted", async () => {
    const sent = countUnmatched();
    const error = (await getRepo(client, "notes", { signal: AbortSignal.abort() }))._unsafeUnwrapErr();
    expect(error).toMatchObject({ _tag: "TransportError", reason: "abort" });
    expect(sent()).toBe(0);
  });
});

describe("chaining Results", () => {
  it("composes with andThen and match, never throwing", async () => {
    api()
      .post(`${BASE}/repos`, { name: "notes" })
      .reply(201, envelope({ ...sampleRepo, token: REPO_TOKEN }));
    api().post(`${BASE}/tokens`, { repo: "notes", ttl: 99_999_999 }).reply(400, failure(10103, "bad ttl"));
    const outcome = await createRepo(client, { name: "notes" })
      .andThen((repo) => createToken(client, { repo: repo.name, ttl: 99_999_999 }))
      .match(
        (token) => `minted ${token.id}`,
        (error) =>
          error._tag === "HttpError" && error.body.errors[0]?.code === ErrorCode.INVALID_TTL
            ? "ttl out of range"
            : `other: ${error.message}`,
      );
    expect(outcome).toBe("ttl out of range");
  });
});
