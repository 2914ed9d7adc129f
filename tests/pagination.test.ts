import nock from "nock";
import { describe, expect, it } from "vitest";
import {
  allNamespaces,
  allRepos,
  allTokens,
  collect,
  InvalidInputError,
  namespacePages,
  PaginationError,
  repoPages,
  tokenPages,
  waitForRepo,
} from "../src/index.js";
import { MAX_PAGES } from "../src/pagination.js";
import { ACCOUNT, api, BASE, envelope, failure, sampleRepo, testClient, useNock } from "./support/nock.js";

useNock();
const client = testClient();
const repo = (name: string) => ({ ...sampleRepo, name });
const cursorInfo = (cursor: string, count: number) => ({ cursor, per_page: 2, count });
const token = (id: string) => ({
  id,
  scope: "read",
  state: "active",
  created_at: "2026-01-01T00:00:00Z",
  expires_at: "2026-01-02T00:00:00Z",
});

/** Three pages of repos: a, b | c, d | e, ending on an empty cursor. */
function threeRepoPages(query: Record<string, string> = {}) {
  api()
    .get(`${BASE}/repos`)
    .query({ ...query })
    .reply(200, envelope([repo("a"), repo("b")], { result_info: cursorInfo("c1", 2) }));
  api()
    .get(`${BASE}/repos`)
    .query({ ...query, cursor: "c1" })
    .reply(200, envelope([repo("c"), repo("d")], { result_info: cursorInfo("c2", 2) }));
  api()
    .get(`${BASE}/repos`)
    .query({ ...query, cursor: "c2" })
    .reply(200, envelope([repo("e")], { result_info: cursorInfo("", 1) }));
}

describe("cursor pagination", () => {
  it("streams one Result per page, following cursors until an empty one", async () => {
    threeRepoPages({ limit: "2" });
    const pages: string[][] = [];
    for await (const page of repoPages(client, { limit: 2 })) pages.push(page._unsafeUnwrap().map((item) => item.name));
    expect(pages).toEqual([["a", "b"], ["c", "d"], ["e"]]);
  });

  it("collects every item into one Result", async () => {
    threeRepoPages();
    expect((await allRepos(client))._unsafeUnwrap().map((item) => item.name)).toEqual(["a", "b", "c", "d", "e"]);
  });

  it("stops after the first Err, without asking for more pages", async () => {
    api()
      .get(`${BASE}/repos`)
      .reply(200, envelope([repo("a")], { result_info: cursorInfo("c1", 1) }));
    api().get(`${BASE}/repos`).query({ cursor: "c1" }).reply(404, failure(10200, "gone"));
    const results = [];
    for await (const page of repoPages(client)) results.push(page);
    expect(results.map((page) => page.isOk())).toEqual([true, false]);
    expect(results[1]?._unsafeUnwrapErr()).toMatchObject({ _tag: "HttpError", status: 404 });
  });

  it("turns a repeated cursor into a PaginationError instead of looping", async () => {
    api()
      .get(`${BASE}/repos`)
      .reply(200, envelope([repo("a")], { result_info: cursorInfo("c1", 1) }));
    api()
      .get(`${BASE}/repos`)
      .query({ cursor: "c1" })
      .reply(200, envelope([repo("b")], { result_info: cursorInfo("c2", 1) }));
    api()
      .get(`${BASE}/repos`)
      .query({ cursor: "c2" })
      .reply(200, envelope([repo("c")], { result_info: cursorInfo("c1", 1) }));
    const error = (await allRepos(client))._unsafeUnwrapErr();
    expect(error).toBeInstanceOf(PaginationError);
    expect(error).toMatchObject({ _tag: "PaginationError", cursor: "c1", page: 3 });
  });

  it("starts from a given cursor", async () => {
    api()
      .get(`${BASE}/repos`)
      .query({ cursor: "c2" })
      .reply(200, envelope([repo("e")], { result_info: cursorInfo("", 1) }));
    expect((await allRepos(client, { cursor: "c2" }))._unsafeUnwrap().map((item) => item.name)).toEqual(["e"]);
  });

  it("stops on an aborted signal between pages", async () => {
    const controller = new AbortController();
    api()
      .get(`${BASE}/repos`)
      .reply(200, envelope([repo("a")], { result_info: cursorInfo("c1", 1) }));
    const results = [];
    for await (const page of repoPages(client, {}, { signal: controller.signal })) {
      results.push(page);
      controller.abort();
    }
    expect(results.map((page) => page.isOk())).toEqual([true, false]);
    expect(results[1]?._unsafeUnwrapErr()).toMatchObject({ _tag: "TransportError", reason: "abort" });
  });

  it("walks namespaces on the account base", async () => {
    const path = `/client/v4/accounts/${ACCOUNT}/artifacts/namespaces`;
    api()
      .get(path)
      .reply(200, envelope([{ namespace: "a1" }], { result_info: cursorInfo("n1", 1) }));
    api()
      .get(path)
      .query({ cursor: "n1" })
      .reply(200, envelope([{ namespace: "b2" }], { result_info: cursorInfo("", 1) }));
    expect((await allNamespaces(client))._unsafeUnwrap()).toEqual([{ namespace: "a1" }, { namespace: "b2" }]);
  });
});

describe("page-number pagination", () => {
  const info = (page: number, count: number) => ({ page, per_page: 2, total_pages: 3, count, total_count: 5 });

  it("walks pages until total_pages", async () => {
    for (const [page, ids] of [
      [1, ["t1", "t2"]],
      [2, ["t3", "t4"]],
      [3, ["t5"]],
    ] as const) {
      api()
        .get(`${BASE}/repos/notes/tokens`)
        .query({ state: "all", per_page: "2", page: String(page) })
        .reply(200, envelope(ids.map(token), { result_info: info(page, ids.length) }));
    }
    const ids = (await allTokens(client, "notes", { state: "all", per_page: 2 }))
      ._unsafeUnwrap()
      .map((item) => item.id);
    expect(ids).toEqual(["t1", "t2", "t3", "t4", "t5"]);
  });

  it("stops on an empty page even if total_pages says more", async () => {
    api()
      .get(`${BASE}/repos/notes/tokens`)
      .query({ page: "1" })
      .reply(200, envelope([], { result_info: { ...info(1, 0), total_pages: 99 } }));
    const pages = [];
    for await (const page of tokenPages(client, "notes")) pages.push(page._unsafeUnwrap());
    expect(pages).toEqual([[]]);
  });

  it("handles a listing with no tokens (total_pages 0)", async () => {
    api()
      .get(`${BASE}/repos/notes/tokens`)
      .query({ page: "1" })
      .reply(200, envelope([], { result_info: { page: 1, per_page: 30, total_pages: 0, count: 0, total_count: 0 } }));
    expect((await collect(tokenPages(client, "notes")))._unsafeUnwrap()).toEqual([]);
  });
});

describe("untyped callers", () => {
  it("never throws for null query or options", async () => {
    api()
      .get(`${BASE}/repos`)
      .reply(200, envelope([repo("a")], { result_info: cursorInfo("", 1) }));
    const result = await allRepos(client, null as never, null as never);
    expect(result._unsafeUnwrap().map((item) => item.name)).toEqual(["a"]);
  });
});

describe("pagination and waiting", () => {
  it("stops before the first page when the signal is already aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    const pages = [];
    for await (const page of repoPages(testClient(), undefined as never, { signal: controller.signal }))
      pages.push(page);
    expect(pages).toHaveLength(1);
    expect(pages[0]?._unsafeUnwrapErr()).toMatchObject({ _tag: "TransportError", reason: "abort" });
  });

  it("walks with undefined query and options", async () => {
    api()
      .get(`${BASE}/repos/r/tokens`)
      .query({ page: 1 })
      .reply(200, envelope([], { result_info: { total_pages: 1 } }));
    expect((await collect(tokenPages(testClient(), "r", undefined, undefined)))._unsafeUnwrap()).toEqual([]);
    expect((await collect(null as never))._unsafeUnwrapErr()).toMatchObject({
      message: "pages is not an async iterable",
    });
  });

  it("stops waiting at once on a 10302 that is not a 409, or on no response", async () => {
    api().get(`${BASE}/repos/notes`).reply(500, failure(10302, "importing?"));
    const started = Date.now();
    expect((await waitForRepo(testClient(), "notes", { interval: 1000 }))._unsafeUnwrapErr()).toMatchObject({
      status: 500,
    });
    nock.cleanAll();
    expect((await waitForRepo(testClient(), "unmocked", { interval: 1000 }))._unsafeUnwrapErr()).toMatchObject({
      _tag: "TransportError",
    });
    expect(Date.now() - started).toBeLessThan(900);
  });

  it("gives up at once with a deadline of 0, after one poll", async () => {
    api().get(`${BASE}/repos/notes`).reply(409, failure(10302, "importing"));
    expect((await waitForRepo(testClient(), "notes", { deadline: 0 }))._unsafeUnwrapErr()).toMatchObject({
      status: 409,
    });
    expect((await waitForRepo(testClient(), "notes", { deadline: -1 }))._unsafeUnwrapErr()).toMatchObject({
      message: "deadline is not a usable number",
    });
    // Not finite is not usable either: an endless wait is a loop the caller did not ask for.
    expect(
      (await waitForRepo(testClient(), "notes", { interval: Number.POSITIVE_INFINITY }))._unsafeUnwrapErr(),
    ).toMatchObject({
      _tag: "InvalidInputError",
      field: "interval",
    });
  });
});

describe("pagination against a server that never ends, or a query that cannot be read", () => {
  /** A client whose every page holds one item and points at a new page: a walk that never ends by itself. */
  function endlessServer(kind: "cursor" | "numbered") {
    let requests = 0;
    const client = testClient({
      fetch: async () => {
        requests++;
        const info =
          kind === "cursor"
            ? { cursor: `c${requests}`, per_page: 1, count: 1 }
            : { page: requests, per_page: 1, total_pages: 1e9, count: 1, total_count: 1e9 };
        return new Response(
          JSON.stringify(envelope([kind === "cursor" ? repo("r") : token("t")], { result_info: info })),
        );
      },
    });
    return { client, requests: () => requests };
  }

  it(`stops a cursor walk after MAX_PAGES (${MAX_PAGES}) pages with a PaginationError`, async () => {
    const server = endlessServer("cursor");
    const error = (await allRepos(server.client))._unsafeUnwrapErr();
    expect(error).toEqual(new PaginationError(undefined, MAX_PAGES + 1, "page-limit"));
    expect(error.message).toBe(`more than ${MAX_PAGES} pages`);
    expect(server.requests()).toBe(MAX_PAGES);
  }, 60_000);

  it("stops a numbered walk whose total_pages never comes", async () => {
    const server = endlessServer("numbered");
    const error = (await allTokens(server.client, "notes"))._unsafeUnwrapErr();
    expect(error).toMatchObject({ _tag: "PaginationError", reason: "page-limit", cursor: undefined });
    expect(server.requests()).toBe(MAX_PAGES);
  }, 60_000);

  it("ends with an InvalidInputError, not a throw, when the query's reads throw", async () => {
    const query = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error("no");
        },
        get: () => {
          throw new Error("no");
        },
      },
    );
    const expected = new InvalidInputError("query cannot be sent", "query");
    for (const walk of [
      () => repoPages(client, query),
      () => namespacePages(client, query),
      () => tokenPages(client, "notes", query),
    ]) {
      const pages: unknown[] = [];
      for await (const page of walk()) pages.push(page._unsafeUnwrapErr());
      expect(pages).toEqual([expected]);
    }
    expect((await allRepos(client, query))._unsafeUnwrapErr()).toEqual(expected);
    expect((await allTokens(client, "notes", query))._unsafeUnwrapErr()).toEqual(expected);
    expect((await allNamespaces(client, query))._unsafeUnwrapErr()).toEqual(expected);
  });
});
