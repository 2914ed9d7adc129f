import { getEventListeners } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import nock from "nock";
import { describe, expect, it } from "vitest";
import { parseArtifactsEvent } from "../src/events/index.js";
import { parseRetryAfter, retryDelay, sleep } from "../src/retry.js";
import { redactJson } from "../src/secrets.js";
import {
  collect,
  createClient,
  DEFAULT_BASE_URL,
  DEFAULT_NAMESPACE,
  getRepo,
  gitCredentials,
  HttpError,
  InvalidInputError,
  PaginationError,
  repoPages,
  resolveRetryForTest,
  TransportError,
  tokenPages,
  waitForRepo,
} from "./pinned-imports.js";
import {
  ACCOUNT,
  API_TOKEN,
  api,
  BASE,
  envelope,
  failure,
  ORIGIN,
  REPO_TOKEN,
  sampleRepo,
  useNock,
} from "./support/nock.js";

/**
 * Issue 16: behaviour pinned so that a mutant of it fails a test. Every client is made inside its test: the
 * mutation runner switches mutants on per test, after the test files have loaded.
 */

useNock();
const fresh = (options: Record<string, unknown> = {}) =>
  createClient({ accountId: ACCOUNT, apiToken: API_TOKEN, retry: 0, ...options });

describe("createClient", () => {
  it("defaults to Cloudflare's API and the default namespace", async () => {
    expect([DEFAULT_BASE_URL, DEFAULT_NAMESPACE]).toEqual(["https://api.cloudflare.com/client/v4", "default"]);
    const client = fresh();
    expect(client.baseUrl).toBe(`${ORIGIN}/client/v4/accounts/${ACCOUNT}/artifacts/namespaces/default`);
    nock(ORIGIN, { reqheaders: { authorization: `Bearer ${API_TOKEN}` } })
      .get(`${BASE}/repos/notes`)
      .reply(200, envelope(sampleRepo));
    expect((await getRepo(client, "notes"))._unsafeUnwrap()).toEqual(sampleRepo);
  });

  it("uses its namespace and base URL (trailing slashes dropped), encoded", async () => {
    const client = fresh({ namespace: "a b", baseUrl: "http://127.0.0.1:9/api//" });
    expect(client.baseUrl).toBe(`http://127.0.0.1:9/api/accounts/${ACCOUNT}/artifacts/namespaces/a%20b`);
    expect(client.namespace).toBe("a b");
  });

  it("sends the bearer token and its user-agent, and a caller's user-agent instead when given", async () => {
    nock(ORIGIN, {
      reqheaders: { authorization: `Bearer ${API_TOKEN}`, "user-agent": /^cloudflare-artifacts\/\d+\.\d+\.\d+$/ },
    })
      .get(`${BASE}/repos/a`)
      .reply(200, envelope(sampleRepo));
    expect((await getRepo(fresh(), "a")).isOk()).toBe(true);
    nock(ORIGIN, { reqheaders: { "user-agent": "mine/1" } })
      .get(`${BASE}/repos/b`)
      .reply(200, envelope(sampleRepo));
    expect((await getRepo(fresh({ headers: { "user-agent": "mine/1" } }), "b")).isOk()).toBe(true);
  });

  it.each(["accountId", "apiToken", "namespace"])(
    "throws a TypeError naming %s when it is empty, '.' or '..'",
    (option) => {
      for (const value of ["", ".", "..", 42]) {
        expect(() => fresh({ [option]: value })).toThrow(
          new TypeError(`createClient: ${option} is required and must be a non-empty string`),
        );
      }
      expect(() => createClient(undefined as never)).toThrow(
        new TypeError("createClient: accountId is required and must be a non-empty string"),
      );
    },
  );

  it("refuses a base URL that only contains a URL, or is not http(s)", () => {
    for (const baseUrl of ["see https://x", "https:x", "file:///tmp"]) {
      expect(() => fresh({ baseUrl })).toThrow(new TypeError("createClient: baseUrl must be an http(s) URL"));
    }
    expect(() => fresh({ baseUrl: "HTTP://x" })).toThrow(TypeError);
  });
});

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
    expect((await getRepo(fresh(), 42 as never))._unsafeUnwrapErr()).toMatchObject({
      message: "name must be a string",
      field: "name",
    });
    expect((await getRepo(fresh(), "\uD800"))._unsafeUnwrapErr()).toMatchObject({
      message: "name is not well-formed Unicode",
      field: "name",
    });
    const policy = { limit: 0, delay: 0, backoffLimit: 0, maxRetryAfter: 0 };
    const untyped = await getRepo({ timeout: 1000, retry: policy } as never, "notes");
    expect(untyped._unsafeUnwrapErr().message).toMatch(/^Unexpected failure: TypeError: /);
  });

  it("names an unusable number and the timing option it came from", async () => {
    expect((await getRepo(fresh(), "n", { timeout: -1 }))._unsafeUnwrapErr()).toMatchObject({
      message: "timeout is not a usable number",
    });
    expect((await getRepo(fresh({ timeout: false }), "n", { retry: { delay: -1 } }))._unsafeUnwrapErr()).toMatchObject({
      field: "delay",
    });
    api().get(`${BASE}/repos/n`).reply(200, envelope(sampleRepo));
    expect((await getRepo(fresh({ timeout: false }), "n")).isOk()).toBe(true);
  });
});

describe("the body deadline", () => {
  /** A server that sends its headers after `headMs` and the body `bodyMs` later. */
  async function slowServer(headMs: number, bodyMs: number) {
    const server = createServer((_, res) => {
      setTimeout(() => {
        res.writeHead(200, { "content-type": "application/json" });
        res.write("");
        setTimeout(() => res.end(JSON.stringify(envelope(sampleRepo))), bodyMs);
      }, headMs);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
      baseUrl: `http://127.0.0.1:${port}/client/v4`,
      close: () => {
        server.closeAllConnections();
        server.close();
      },
    };
  }

  it("counts from the request, so slow headers leave less time for the body", async () => {
    const slow = await slowServer(150, 150);
    try {
      const error = (await getRepo(fresh({ baseUrl: slow.baseUrl }), "notes", { timeout: 220 }))._unsafeUnwrapErr();
      expect(error).toMatchObject({ _tag: "TransportError", reason: "timeout" });
    } finally {
      slow.close();
    }
  });

  it("lets a body that arrives within the time left complete", async () => {
    const slow = await slowServer(20, 100);
    try {
      expect((await getRepo(fresh({ baseUrl: slow.baseUrl }), "notes", { timeout: 2000 }))._unsafeUnwrap()).toEqual(
        sampleRepo,
      );
    } finally {
      slow.close();
    }
  });
});

describe("secrets", () => {
  it("redacts JSON down to 64 levels, and replaces what is deeper", () => {
    const nest = (levels: number): unknown => (levels === 0 ? API_TOKEN : [nest(levels - 1)]);
    const redact = (text: string) => text.replace(API_TOKEN, "[REDACTED]");
    expect(JSON.stringify(redactJson(nest(64), redact))).toBe(`${"[".repeat(64)}"[REDACTED]"${"]".repeat(64)}`);
    expect(JSON.stringify(redactJson(nest(66), redact))).toBe(`${"[".repeat(64)}"[REDACTED]"${"]".repeat(64)}`);
    expect(JSON.stringify(redactJson(nest(65), (text) => text))).toBe(`${"[".repeat(64)}"[REDACTED]"${"]".repeat(64)}`);
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

  it("sleeps, then leaves no listener on the signal; an aborted signal rejects at once", async () => {
    const controller = new AbortController();
    await sleep(10, controller.signal);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    const pending = sleep(10_000, controller.signal);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
    controller.abort(new Error("stop"));
    await expect(pending).rejects.toThrow("stop");
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    const started = Date.now();
    await expect(sleep(10_000, controller.signal)).rejects.toThrow("stop");
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe("pagination and waiting", () => {
  it("stops before the first page when the signal is already aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    const pages = [];
    for await (const page of repoPages(fresh(), undefined as never, { signal: controller.signal })) pages.push(page);
    expect(pages).toHaveLength(1);
    expect(pages[0]?._unsafeUnwrapErr()).toMatchObject({ _tag: "TransportError", reason: "abort" });
  });

  it("walks with undefined query and options", async () => {
    api()
      .get(`${BASE}/repos/r/tokens`)
      .query({ page: 1 })
      .reply(200, envelope([], { result_info: { total_pages: 1 } }));
    expect((await collect(tokenPages(fresh(), "r", undefined, undefined)))._unsafeUnwrap()).toEqual([]);
    expect((await collect(null as never))._unsafeUnwrapErr()).toMatchObject({
      message: "pages is not an async iterable",
    });
  });

  it("stops waiting at once on a 10302 that is not a 409, or on no response", async () => {
    api().get(`${BASE}/repos/notes`).reply(500, failure(10302, "importing?"));
    const started = Date.now();
    expect((await waitForRepo(fresh(), "notes", { interval: 1000 }))._unsafeUnwrapErr()).toMatchObject({ status: 500 });
    nock.cleanAll();
    expect((await waitForRepo(fresh(), "unmocked", { interval: 1000 }))._unsafeUnwrapErr()).toMatchObject({
      _tag: "TransportError",
    });
    expect(Date.now() - started).toBeLessThan(900);
  });

  it("gives up at once with a deadline of 0, after one poll", async () => {
    api().get(`${BASE}/repos/notes`).reply(409, failure(10302, "importing"));
    expect((await waitForRepo(fresh(), "notes", { deadline: 0 }))._unsafeUnwrapErr()).toMatchObject({ status: 409 });
    expect((await waitForRepo(fresh(), "notes", { deadline: -1 }))._unsafeUnwrapErr()).toMatchObject({
      message: "deadline is not a usable number",
    });
    // Not finite is not usable either: an endless wait is a loop the caller did not ask for.
    expect(
      (await waitForRepo(fresh(), "notes", { interval: Number.POSITIVE_INFINITY }))._unsafeUnwrapErr(),
    ).toMatchObject({
      _tag: "InvalidInputError",
      field: "interval",
    });
  });
});

describe("Git credentials and events", () => {
  it("reads only a whole repo token, and says what it expected", () => {
    expect(gitCredentials(`x${REPO_TOKEN}`)._unsafeUnwrapErr().message).toBe(
      "token is not an Artifacts repo token (art_v1_... or art_v2_...)",
    );
    expect(gitCredentials(42 as never).isErr()).toBe(true);
    const creds = gitCredentials(REPO_TOKEN)._unsafeUnwrap();
    expect(creds.secret).toBe(REPO_TOKEN.split("?")[0]);
    expect(creds.expiresAt?.getTime()).toBe(1_767_225_600_000);
    expect(creds.remoteUrl(42 as never)._unsafeUnwrapErr().message).toBe("remote must be an http(s) URL");
  });

  it("says why an event was refused", () => {
    expect(parseArtifactsEvent("{").isErr() && parseArtifactsEvent("{")._unsafeUnwrapErr().message).toBe(
      "the event is not JSON",
    );
    expect(parseArtifactsEvent({ type: "x" })._unsafeUnwrapErr().message).toMatch(/^not an Artifacts event: type: /);
    expect(parseArtifactsEvent(7)._unsafeUnwrapErr().message).toMatch(/^not an Artifacts event: [A-Z]/);
  });
});
