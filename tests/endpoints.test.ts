import nock from "nock";
import { describe, expect, it } from "vitest";
import {
  createRepo,
  createToken,
  deleteRepo,
  deleteToken,
  forkRepo,
  getRepo,
  importRepo,
  listRepos,
  listTokens,
} from "../src/index.js";
import {
  ACCOUNT,
  API_TOKEN,
  api,
  BASE,
  envelope,
  ORIGIN,
  REPO_TOKEN,
  sampleRepo,
  testClient,
  useNock,
} from "./support/nock.js";

useNock();
const client = testClient();

const created = {
  id: "repo_1",
  name: "notes",
  description: "Agent notes",
  default_branch: "main",
  remote: sampleRepo.remote,
  token: REPO_TOKEN,
};

describe("repos", () => {
  it("createRepo POSTs the body, without absent or null fields, and accepts 201", async () => {
    api()
      .post(`${BASE}/repos`, { name: "notes", description: "Agent notes" })
      .matchHeader("content-type", "application/json")
      .reply(201, envelope(created));
    const result = await createRepo(client, {
      name: "notes",
      description: "Agent notes",
      default_branch: undefined,
      read_only: null as unknown as undefined,
    });
    expect(result._unsafeUnwrap()).toEqual(created);
  });

  it("listRepos sends the query and resolves to [items, result_info] verbatim", async () => {
    const info = { cursor: "c2", per_page: 2, count: 1 };
    api()
      .get(`${BASE}/repos`)
      .query({ limit: "2", cursor: "c1", search: "no tes", sort: "name", direction: "asc" })
      .reply(200, envelope([sampleRepo], { result_info: info }));
    const result = await listRepos(client, {
      limit: 2,
      cursor: "c1",
      search: "no tes",
      sort: "name",
      direction: "asc",
    });
    expect(result._unsafeUnwrap()).toEqual([[sampleRepo], info]);
  });

  it("listRepos without a query sends no query string", async () => {
    const info = { cursor: "", per_page: 50, count: 0 };
    api()
      .get(`${BASE}/repos`)
      .reply(200, envelope([], { result_info: info }));
    expect((await listRepos(client))._unsafeUnwrap()).toEqual([[], info]);
  });

  it("getRepo GETs /repos/{name}", async () => {
    api().get(`${BASE}/repos/notes`).reply(200, envelope(sampleRepo));
    expect((await getRepo(client, "notes"))._unsafeUnwrap()).toEqual(sampleRepo);
  });

  it("deleteRepo DELETEs /repos/{name} and accepts 202", async () => {
    api()
      .delete(`${BASE}/repos/notes`)
      .reply(202, envelope({ id: "repo_1" }));
    expect((await deleteRepo(client, "notes"))._unsafeUnwrap()).toEqual({ id: "repo_1" });
  });

  it("forkRepo POSTs to the source's /fork with the new name in the body", async () => {
    const fork = { ...created, id: "repo_2", name: "notes-fork", objects: 42 };
    api()
      .post(`${BASE}/repos/notes/fork`, { name: "notes-fork", default_branch_only: true })
      .reply(201, envelope(fork));
    const result = await forkRepo(client, "notes", { name: "notes-fork", default_branch_only: true });
    expect(result._unsafeUnwrap()).toEqual(fork);
  });

  it("importRepo POSTs to the destination's /import", async () => {
    const body = { url: "https://example.com/repo.git", branch: "main", depth: 1, read_only: true };
    api()
      .post(`${BASE}/repos/imported/import`, body)
      .reply(201, envelope({ ...created, name: "imported" }));
    const result = await importRepo(client, "imported", body);
    expect(result._unsafeUnwrap()).toEqual({ ...created, name: "imported" });
  });

  it("keeps fields the API adds later", async () => {
    api()
      .get(`${BASE}/repos/notes`)
      .reply(200, envelope({ ...sampleRepo, status: "ready" }));
    expect((await getRepo(client, "notes"))._unsafeUnwrap()).toEqual({ ...sampleRepo, status: "ready" });
  });
});

describe("tokens", () => {
  const minted = { id: "abcdefghij012345", plaintext: REPO_TOKEN, scope: "read", expires_at: "2026-01-01T00:00:00Z" };

  it("createToken POSTs to the namespace-level /tokens with the repo in the body", async () => {
    api().post(`${BASE}/tokens`, { repo: "notes", scope: "read", ttl: 3600 }).reply(201, envelope(minted));
    const result = await createToken(client, { repo: "notes", scope: "read", ttl: 3600 });
    expect(result._unsafeUnwrap()).toEqual(minted);
  });

  it("listTokens GETs the repo-level /tokens with its query and page info", async () => {
    const token = {
      id: "abcdefghij012345",
      scope: "write",
      state: "revoked",
      created_at: "2026-04-01T12:00:00Z",
      expires_at: "2026-04-02T12:00:00Z",
    };
    const info = { page: 2, per_page: 1, total_pages: 3, count: 1, total_count: 3 };
    api()
      .get(`${BASE}/repos/notes/tokens`)
      .query({ state: "all", per_page: "1", page: "2" })
      .reply(200, envelope([token], { result_info: info }));
    const result = await listTokens(client, "notes", { state: "all", per_page: 1, page: 2 });
    expect(result._unsafeUnwrap()).toEqual([[token], info]);
  });

  it("deleteToken DELETEs /tokens/{id}", async () => {
    api()
      .delete(`${BASE}/tokens/abcdefghij012345`)
      .reply(200, envelope({ id: "abcdefghij012345" }));
    expect((await deleteToken(client, "abcdefghij012345"))._unsafeUnwrap()).toEqual({ id: "abcdefghij012345" });
  });
});

describe("client options", () => {
  it("uses the configured namespace and base URL", async () => {
    const custom = testClient({ namespace: "agents", baseUrl: "https://api.cloudflare.com/client/v4/" });
    api()
      .get(`/client/v4/accounts/${ACCOUNT}/artifacts/namespaces/agents/repos/notes`)
      .reply(200, envelope(sampleRepo));
    expect((await getRepo(custom, "notes")).isOk()).toBe(true);
  });

  it("sends per-call headers beside the client's", async () => {
    api().get(`${BASE}/repos/notes`).matchHeader("x-trace", "t1").reply(200, envelope(sampleRepo));
    expect((await getRepo(client, "notes", { headers: { "x-trace": "t1" } })).isOk()).toBe(true);
  });

  it("lets the caller replace the user-agent, never the authorization", async () => {
    const custom = testClient({ headers: { "user-agent": "my-agent/1.0", authorization: "Bearer other" } });
    nock(ORIGIN, { reqheaders: { authorization: `Bearer ${API_TOKEN}`, "user-agent": "my-agent/1.0" } })
      .get(`${BASE}/repos/notes`)
      .reply(200, envelope(sampleRepo));
    expect((await getRepo(custom, "notes")).isOk()).toBe(true);
  });
});
