import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { ResultAsync } from "neverthrow";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  type ArtifactsError,
  createClient,
  createRepo,
  createToken,
  deleteRepo,
  deleteToken,
  ErrorCode,
  forkRepo,
  getRepo,
  type HttpError,
  importRepo,
  listRepos,
  listTokens,
} from "../../src/index.js";
import { startArtifactsServer } from "../../src/testing/index.js";
import {
  fs,
  gitCli,
  isogit,
  isoHttp,
  readText,
  removeTempDirs,
  tempDir,
  withBearer,
  workTree,
} from "../support/git.js";
import { useLocalServer } from "../support/local-server.js";
import { untilRegistered } from "../support/until.js";

let clock = Date.now();

const local = useLocalServer({ now: () => clock });
afterAll(() => removeTempDirs());

let counter = 0;
const unique = (prefix: string) => `${prefix}-${++counter}`;
const created: string[] = [];
afterEach(async () => {
  await Promise.all(created.splice(0).map((name) => deleteRepo(local.client, name)));
});

async function newRepo(prefix = "repo", extra: { default_branch?: string; read_only?: boolean } = {}) {
  const name = unique(prefix);
  const repo = (await createRepo(local.client, { name, ...extra }))._unsafeUnwrap();
  created.push(name);
  return repo;
}

const httpError = async (result: ResultAsync<unknown, ArtifactsError>) =>
  (await result)._unsafeUnwrapErr() as HttpError;

const secretOf = (token: string) => token.slice(0, token.indexOf("?"));

describe("control plane: every function over real HTTP", () => {
  it("creates, gets, lists and deletes a repo", async () => {
    const name = unique("life");
    const made = (await createRepo(local.client, { name, description: "d", default_branch: "trunk" }))._unsafeUnwrap();
    expect(made).toMatchObject({ name, description: "d", default_branch: "trunk" });
    expect(made.remote).toBe(`${local.server.origin}/git/default/${name}.git`);
    expect(made.token).toMatch(/^art_v1_[0-9a-f]{40}\?expires=\d+$/);

    const got = (await getRepo(local.client, name))._unsafeUnwrap();
    expect(got).toEqual({
      id: made.id,
      name,
      description: "d",
      default_branch: "trunk",
      created_at: got.created_at,
      updated_at: got.created_at,
      last_push_at: null,
      source: null,
      read_only: false,
      remote: made.remote,
      status: "ready",
    });
    expect(made.id).toMatch(/^[0-9a-z]{16}$/);
    expect(Date.parse(got.created_at)).toBe(clock);

    const [listed] = (await listRepos(local.client, { search: name }))._unsafeUnwrap();
    expect(listed).toEqual([got]);

    expect((await deleteRepo(local.client, name))._unsafeUnwrap()).toEqual({ id: made.id });
    expect((await httpError(getRepo(local.client, name))).code).toBe(ErrorCode.NOT_FOUND);
    const again = await httpError(deleteRepo(local.client, name));
    expect([again.status, again.code]).toEqual([404, ErrorCode.NOT_FOUND]);
  });

  it("defaults default_branch to main and leaves out absent fields", async () => {
    const repo = await newRepo();
    expect(repo).toMatchObject({ default_branch: "main", description: null });
  });

  it("mints, lists and revokes tokens", async () => {
    const repo = await newRepo();
    const read = (await createToken(local.client, { repo: repo.name, scope: "read", ttl: 60 }))._unsafeUnwrap();
    expect(read.id).toMatch(/^[0-9a-z]{16}$/);
    expect(read.scope).toBe("read");
    const expires = Number(read.plaintext.split("?expires=")[1]);
    expect(Date.parse(read.expires_at)).toBe(expires * 1000);
    expect(expires).toBe(Math.floor(clock / 1000) + 60);

    const write = (await createToken(local.client, { repo: repo.name }))._unsafeUnwrap();
    expect(write.scope).toBe("write");
    expect(Date.parse(write.expires_at) - Math.floor(clock / 1000) * 1000).toBe(86_400_000);

    const [active] = (await listTokens(local.client, repo.name))._unsafeUnwrap();
    // The inline token of createRepo is one too.
    expect(active.map((token) => token.id)).toEqual(expect.arrayContaining([read.id, write.id]));
    expect(active).toHaveLength(3);
    expect(JSON.stringify(active)).not.toContain("art_v1_");
    // The server keeps a hash of each secret, never the plaintext.
    const stored = JSON.stringify([...local.server.state.tokens.values()]);
    expect(stored).not.toContain(secretOf(read.plaintext));
    expect(stored).not.toContain(secretOf(write.plaintext));

    expect((await deleteToken(local.client, read.id))._unsafeUnwrap()).toEqual({ id: read.id });
    const [afterRevoke] = (await listTokens(local.client, repo.name))._unsafeUnwrap();
    expect(afterRevoke.map((token) => token.id)).not.toContain(read.id);
    const [all] = (await listTokens(local.client, repo.name, { state: "all" }))._unsafeUnwrap();
    expect(all.find((token) => token.id === read.id)).toMatchObject({ state: "revoked", scope: "read" });
    const [revoked] = (await listTokens(local.client, repo.name, { state: "revoked" }))._unsafeUnwrap();
    expect(revoked.map((token) => token.id)).toEqual([read.id]);
  });

  it("shows expired tokens as expired, by the server's clock", async () => {
    const repo = await newRepo();
    const token = (await createToken(local.client, { repo: repo.name, ttl: 60 }))._unsafeUnwrap();
    clock += 61_000;
    try {
      const [expired] = (await listTokens(local.client, repo.name, { state: "expired" }))._unsafeUnwrap();
      expect(expired.map((item) => item.id)).toContain(token.id);
      const clone = await gitCli(withBearer(token.plaintext, ["clone", "--quiet", repo.remote, await tempDir()]));
      expect(clone.code).not.toBe(0);
    } finally {
      clock -= 61_000;
    }
  });
});

describe("control plane: every error the server produces", () => {
  const cases: [string, () => ResultAsync<unknown, ArtifactsError>, number, number][] = [
    ["bad repo name", () => createRepo(local.client, { name: "-bad" }), 400, ErrorCode.INVALID_REPO_NAME],
    ["name with a slash", () => createRepo(local.client, { name: "a/b" }), 400, ErrorCode.INVALID_REPO_NAME],
    [
      "bad default_branch",
      () => createRepo(local.client, { name: "ok", default_branch: "a..b" }),
      400,
      ErrorCode.INVALID_INPUT,
    ],
    [
      "wrong description type",
      () => createRepo(local.client, { name: "ok", description: 5 as never }),
      400,
      ErrorCode.INVALID_INPUT,
    ],
    ["ttl too large", () => createToken(local.client, { repo: "x", ttl: 99_999_999 }), 400, ErrorCode.INVALID_TTL],
    ["ttl too small", () => createToken(local.client, { repo: "x", ttl: 59 }), 400, ErrorCode.INVALID_TTL],
    [
      "bad scope",
      () => createToken(local.client, { repo: "x", scope: "admin" as never }),
      400,
      ErrorCode.INVALID_INPUT,
    ],
    ["token for a missing repo", () => createToken(local.client, { repo: "missing" }), 404, ErrorCode.NOT_FOUND],
    ["limit 0", () => listRepos(local.client, { limit: 0 }), 400, ErrorCode.INVALID_INPUT],
    ["limit 201", () => listRepos(local.client, { limit: 201 }), 400, ErrorCode.INVALID_INPUT],
    ["bad sort", () => listRepos(local.client, { sort: "size" as never }), 400, ErrorCode.INVALID_INPUT],
    ["bad cursor", () => listRepos(local.client, { cursor: "nope" }), 400, ErrorCode.INVALID_INPUT],
    ["per_page 101", () => listTokens(local.client, "missing", { per_page: 101 }), 400, ErrorCode.INVALID_INPUT],
    ["bad state", () => listTokens(local.client, "missing", { state: "gone" as never }), 400, ErrorCode.INVALID_INPUT],
    ["tokens of a missing repo", () => listTokens(local.client, "missing"), 404, ErrorCode.NOT_FOUND],
    ["bad token id", () => deleteToken(local.client, "NOT-A-TOKEN-ID!!"), 400, ErrorCode.INVALID_INPUT],
    ["unknown token", () => deleteToken(local.client, "0000000000000000"), 404, ErrorCode.NOT_FOUND],
    ["missing repo", () => getRepo(local.client, "missing"), 404, ErrorCode.NOT_FOUND],
    ["fork of a missing repo", () => forkRepo(local.client, "missing", { name: "copy" }), 404, ErrorCode.NOT_FOUND],
    ["import without url", () => importRepo(local.client, "imp", { url: "" }), 400, ErrorCode.INVALID_INPUT],
    [
      "import of a non-http url",
      () => importRepo(local.client, "imp", { url: "file:///etc" }),
      400,
      ErrorCode.INVALID_INPUT,
    ],
    [
      "import with depth 0",
      () => importRepo(local.client, "imp", { url: "http://127.0.0.1:1/x.git", depth: 0 }),
      400,
      ErrorCode.INVALID_INPUT,
    ],
  ];
  it.each(cases)("%s", async (_, call, status, code) => {
    const error = await httpError(call());
    expect(error._tag).toBe("HttpError");
    expect([error.status, error.code]).toEqual([status, code]);
    expect(error.body.success).toBe(false);
  });

  it("answers 409 ALREADY_EXISTS for a taken name, on create and fork", async () => {
    const repo = await newRepo();
    const create = await httpError(createRepo(local.client, { name: repo.name }));
    expect([create.status, create.code]).toEqual([409, ErrorCode.ALREADY_EXISTS]);
    const fork = await httpError(forkRepo(local.client, repo.name, { name: repo.name }));
    expect([fork.status, fork.code]).toEqual([409, ErrorCode.ALREADY_EXISTS]);
  });

  it("maps import failures: not a repository, auth required, unreachable", async () => {
    const repo = await newRepo();
    const notGit = await httpError(
      importRepo(local.client, unique("imp"), { url: `${local.server.origin}/git/default/nope.git` }),
    );
    expect([notGit.status, notGit.code]).toEqual([400, ErrorCode.INVALID_URL]);
    const auth = await httpError(importRepo(local.client, unique("imp"), { url: repo.remote }));
    expect([auth.status, auth.code]).toEqual([422, ErrorCode.REMOTE_AUTH_REQUIRED]);
    const down = await httpError(importRepo(local.client, unique("imp"), { url: "http://127.0.0.1:1/x.git" }));
    expect([down.status, down.code]).toEqual([502, ErrorCode.UPSTREAM_UNAVAILABLE]);
    // A failed import leaves nothing behind.
    const [repos] = (await listRepos(local.client, { search: "imp-" }))._unsafeUnwrap();
    expect(repos).toEqual([]);
  });

  it("refuses a wrong API token with 401 and a wrong account with 403", async () => {
    const wrongToken = createClient({ ...local.server.clientOptions, apiToken: "wrong", retry: 0 });
    const unauthorized = await httpError(listRepos(wrongToken));
    expect([unauthorized.status, unauthorized.code]).toEqual([401, 10000]);
    const wrongAccount = createClient({ ...local.server.clientOptions, accountId: "someone-else", retry: 0 });
    expect((await httpError(listRepos(wrongAccount))).status).toBe(403);
  });

  it("answers unknown routes, wrong methods, malformed JSON and oversized bodies with envelopes", async () => {
    const raw = (path: string, init?: RequestInit) =>
      local.client
        .ky(path, { throwHttpErrors: false, ...init })
        .then(async (response) => [response.status, await response.json()]);
    expect(await raw("nowhere")).toEqual([
      404,
      expect.objectContaining({ success: false, errors: [{ code: 7003, message: "No route for that URI" }] }),
    ]);
    expect(await raw("repos/x", { method: "PUT" })).toEqual([405, expect.objectContaining({ success: false })]);
    expect(
      await raw("repos", { method: "POST", body: "{not json", headers: { "content-type": "application/json" } }),
    ).toEqual([400, expect.objectContaining({ errors: [{ code: 10100, message: "request body is not valid JSON" }] })]);
    const huge = JSON.stringify({ name: "big", description: "x".repeat(2 * 1024 * 1024) });
    const [status, body] = await raw("repos", { method: "POST", body: huge });
    expect(status).toBe(413);
    expect(body).toMatchObject({ success: false, errors: [{ code: 10100 }] });
  });

  it("accepts any namespace, created implicitly, and refuses a malformed one", async () => {
    const other = createClient({ ...local.server.clientOptions, namespace: "agents-2", retry: 0 });
    const repo = (await createRepo(other, { name: "inside" }))._unsafeUnwrap();
    expect(repo.remote).toBe(`${local.server.origin}/git/agents-2/inside.git`);
    expect((await httpError(getRepo(local.client, "inside"))).code).toBe(ErrorCode.NOT_FOUND);
    expect((await deleteRepo(other, "inside")).isOk()).toBe(true);
    const bad = createClient({ ...local.server.clientOptions, namespace: "x", retry: 0 });
    expect((await httpError(listRepos(bad))).code).toBe(ErrorCode.INVALID_INPUT);
  });
});

describe("pagination", () => {
  it("walks repos by cursor in the requested order, ending on an empty cursor", async () => {
    const ns = createClient({ ...local.server.clientOptions, namespace: "paging", retry: 0 });
    const names = ["delta", "alpha", "echo", "charlie", "bravo", "golf", "foxtrot"];
    for (const name of names) expect((await createRepo(ns, { name })).isOk()).toBe(true);

    const seen: string[] = [];
    const infos: unknown[] = [];
    let cursor: string | undefined;
    do {
      const [repos, info] = (await listRepos(ns, { limit: 3, sort: "name", direction: "asc", cursor }))._unsafeUnwrap();
      seen.push(...repos.map((repo) => repo.name));
      infos.push(info);
      cursor = info.cursor || undefined;
    } while (cursor);
    expect(seen).toEqual([...names].sort());
    expect(infos.map((info) => (info as { count: number }).count)).toEqual([3, 3, 1]);
    expect((infos.at(-1) as { cursor: string }).cursor).toBe("");

    const [descending] = (await listRepos(ns, { sort: "name", direction: "desc", limit: 2 }))._unsafeUnwrap();
    expect(descending.map((repo) => repo.name)).toEqual(["golf", "foxtrot"]);
    const [searched] = (await listRepos(ns, { search: "HO" }))._unsafeUnwrap();
    expect(searched.map((repo) => repo.name)).toEqual(["echo"]);
    for (const name of names) await deleteRepo(ns, name);
  });

  it("pages tokens with page, per_page and total_pages", async () => {
    const repo = await newRepo();
    for (let i = 0; i < 4; i++) await createToken(local.client, { repo: repo.name, scope: "read" });
    const pages = [];
    for (let page = 1; page <= 3; page++)
      pages.push((await listTokens(local.client, repo.name, { per_page: 2, page }))._unsafeUnwrap());
    expect(pages.map(([, info]) => info)).toEqual([
      { page: 1, per_page: 2, total_pages: 3, count: 2, total_count: 5 },
      { page: 2, per_page: 2, total_pages: 3, count: 2, total_count: 5 },
      { page: 3, per_page: 2, total_pages: 3, count: 1, total_count: 5 },
    ]);
    const ids = pages.flatMap(([tokens]) => tokens.map((token) => token.id));
    expect(new Set(ids).size).toBe(5);
  });
});

describe("git data plane", () => {
  it("pushes and clones with the Git CLI (Bearer), and last_push_at follows the push", async () => {
    const repo = await newRepo();
    expect((await getRepo(local.client, repo.name))._unsafeUnwrap().last_push_at).toBeNull();
    const work = await workTree([{ "README.md": "# hello\n" }, { "src/a.txt": "a\n" }]);
    clock += 5000;
    const push = await gitCli(withBearer(repo.token, ["push", "--quiet", repo.remote, "main"]), work);
    expect(push).toMatchObject({ code: 0 });
    const after = (await getRepo(local.client, repo.name))._unsafeUnwrap();
    expect(after.last_push_at).toBe(new Date(clock).toISOString());
    expect(after.updated_at).toBe(after.last_push_at);

    const read = (await createToken(local.client, { repo: repo.name, scope: "read" }))._unsafeUnwrap();
    const clone = await tempDir();
    expect(await gitCli(withBearer(read.plaintext, ["clone", "--quiet", repo.remote, clone]))).toMatchObject({
      code: 0,
    });
    expect(await readText(clone, "src/a.txt")).toBe("a\n");
    expect((await gitCli(["log", "--format=%s"], clone)).stdout).toBe("commit 2\ncommit 1\n");
  });

  it("accepts Basic auth with any username and the secret, and protocol v2", async () => {
    const repo = await newRepo();
    const work = await workTree([{ "f.txt": "basic\n" }]);
    const url = new URL(repo.remote);
    url.username = "x";
    url.password = secretOf(repo.token);
    expect(await gitCli(["push", "--quiet", url.href, "main"], work)).toMatchObject({ code: 0 });
    const clone = await tempDir();
    expect(await gitCli(["-c", "protocol.version=2", "clone", "--quiet", url.href, clone])).toMatchObject({ code: 0 });
    expect(await readText(clone, "f.txt")).toBe("basic\n");
  });

  it("pushes and clones with isomorphic-git (onAuth with the secret)", async () => {
    const repo = await newRepo();
    const dir = await tempDir();
    await isogit.init({ fs, dir, defaultBranch: "main" });
    await fs.promises.writeFile(join(dir, "iso.txt"), "isomorphic\n");
    await isogit.add({ fs, dir, filepath: "iso.txt" });
    await isogit.commit({ fs, dir, message: "iso", author: { name: "Iso", email: "iso@example.com" } });
    const onAuth = () => ({ username: "x", password: secretOf(repo.token) });
    const pushed = await isogit.push({ fs, http: isoHttp, dir, url: repo.remote, ref: "main", onAuth });
    expect(pushed.ok).toBe(true);

    const clone = await tempDir();
    await isogit.clone({ fs, http: isoHttp, dir: clone, url: repo.remote, onAuth, singleBranch: true });
    expect(await readText(clone, "iso.txt")).toBe("isomorphic\n");
    // The header form works for isomorphic-git too.
    const viaHeader = await tempDir();
    await isogit.clone({
      fs,
      http: isoHttp,
      dir: viaHeader,
      url: repo.remote,
      headers: { Authorization: `Bearer ${repo.token}` },
    });
    expect(await readText(viaHeader, "iso.txt")).toBe("isomorphic\n");
  });

  it("refuses a read token's push, another repo's token, and no token", async () => {
    const repo = await newRepo();
    const other = await newRepo();
    const work = await workTree([{ "x.txt": "x\n" }]);
    const read = (await createToken(local.client, { repo: repo.name, scope: "read" }))._unsafeUnwrap();

    const readPush = await gitCli(withBearer(read.plaintext, ["push", repo.remote, "main"]), work);
    expect(readPush.code).not.toBe(0);
    expect(readPush.stderr).toMatch(/403/);
    const crossPush = await gitCli(withBearer(other.token, ["push", repo.remote, "main"]), work);
    expect(crossPush.code).not.toBe(0);
    const crossClone = await gitCli(withBearer(other.token, ["clone", repo.remote, await tempDir()]));
    expect(crossClone.code).not.toBe(0);
    const anonymous = await gitCli(["clone", repo.remote, await tempDir()]);
    expect(anonymous.code).not.toBe(0);
    const tampered = repo.token.replace(/expires=(\d+)/, (_, n) => `expires=${Number(n) + 1000}`);
    expect((await gitCli(withBearer(tampered, ["clone", repo.remote, await tempDir()]))).code).not.toBe(0);
    // Nothing reached the repo.
    expect((await getRepo(local.client, repo.name))._unsafeUnwrap().last_push_at).toBeNull();
  });

  it("refuses pushes to a read_only repo, even with a write token", async () => {
    const repo = await newRepo("ro", { read_only: true });
    const work = await workTree([{ "x.txt": "x\n" }]);
    const push = await gitCli(withBearer(repo.token, ["push", repo.remote, "main"]), work);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toMatch(/403/);
  });

  it("revoking a token and deleting a repo invalidate the tokens", async () => {
    const repo = await newRepo();
    const work = await workTree([{ "x.txt": "x\n" }]);
    const write = (await createToken(local.client, { repo: repo.name }))._unsafeUnwrap();
    expect((await gitCli(withBearer(write.plaintext, ["push", "--quiet", repo.remote, "main"]), work)).code).toBe(0);
    await deleteToken(local.client, write.id);
    expect((await gitCli(withBearer(write.plaintext, ["clone", repo.remote, await tempDir()]))).code).not.toBe(0);

    const survivor = (await createToken(local.client, { repo: repo.name }))._unsafeUnwrap();
    await deleteRepo(local.client, repo.name);
    // A new repo of the same name does not honour the old repo's token.
    const again = (await createRepo(local.client, { name: repo.name }))._unsafeUnwrap();
    expect(again.id).not.toBe(repo.id);
    expect((await gitCli(withBearer(survivor.plaintext, ["clone", again.remote, await tempDir()]))).code).not.toBe(0);
    expect((await gitCli(withBearer(again.token, ["clone", again.remote, await tempDir()]))).code).toBe(0);
    const [tokens] = (await listTokens(local.client, repo.name, { state: "all" }))._unsafeUnwrap();
    expect(tokens.map((token) => token.id)).not.toContain(survivor.id);
  });
});

describe("fork and import", () => {
  async function pushedRepo() {
    const repo = await newRepo("src");
    const work = await workTree([{ "a.txt": "1\n" }, { "a.txt": "2\n" }]);
    await gitCli(["branch", "feature"], work);
    await gitCli(withBearer(repo.token, ["push", "--quiet", repo.remote, "main", "feature"]), work);
    return repo;
  }

  const branches = async (remote: string, token: string) =>
    (await gitCli(withBearer(token, ["ls-remote", "--heads", remote]))).stdout
      .trim()
      .split("\n")
      .map((line) => line.split("refs/heads/")[1])
      .sort();

  it("forks every branch, or only the default one (the binding's default), recording the source", async () => {
    const source = await pushedRepo();
    const name = unique("fork");
    const fork = (
      await forkRepo(local.client, source.name, { name, description: "mine", default_branch_only: false })
    )._unsafeUnwrap();
    created.push(name);
    expect(fork).toMatchObject({ name, description: "mine", default_branch: "main" });
    expect(fork.objects).toBeGreaterThanOrEqual(6);
    expect(await branches(fork.remote, fork.token)).toEqual(["feature", "main"]);
    expect((await getRepo(local.client, name))._unsafeUnwrap().source).toBe(`artifacts:default/${source.name}`);

    const slim = unique("fork");
    const only = (await forkRepo(local.client, source.name, { name: slim }))._unsafeUnwrap();
    created.push(slim);
    expect(await branches(only.remote, only.token)).toEqual(["main"]);
    const clone = await tempDir();
    await gitCli(withBearer(only.token, ["clone", "--quiet", only.remote, clone]));
    expect(await readText(clone, "a.txt")).toBe("2\n");
  });

  it("imports a loopback remote, honouring branch and depth, without keeping credentials", async () => {
    const source = await pushedRepo();
    const url = new URL(source.remote);
    url.username = "x";
    url.password = secretOf(source.token);
    const name = unique("imp");
    const imported = (
      await importRepo(local.client, name, { url: url.href, branch: "feature", depth: 1 })
    )._unsafeUnwrap();
    created.push(name);
    expect(imported).toMatchObject({ name, default_branch: "feature" });
    expect(await branches(imported.remote, imported.token)).toEqual(["feature"]);
    const info = (await getRepo(local.client, name))._unsafeUnwrap();
    expect(info.source).toBe(source.remote);
    const clone = await tempDir();
    await gitCli(withBearer(imported.token, ["clone", "--quiet", imported.remote, clone]));
    expect((await gitCli(["rev-list", "--count", "HEAD"], clone)).stdout.trim()).toBe("1");
  });

  it("leaves no repository folder behind after deletes", async () => {
    const repo = await newRepo();
    await deleteRepo(local.client, repo.name);
    created.splice(created.indexOf(repo.name), 1);
    const dirs = await readdir(local.server.dataDir);
    expect(dirs).not.toContain(`${repo.id}.git`);
  });
});

describe("in-progress imports and forks", () => {
  it("answers 409 FORK_IN_PROGRESS / IMPORT_IN_PROGRESS while they run", async () => {
    const slow = await startArtifactsServer({ operationDelayMs: 1500 });
    const slowClient = createClient({ ...slow.clientOptions, retry: 0 });
    try {
      const source = (await createRepo(slowClient, { name: "source" }))._unsafeUnwrap();
      const forking = forkRepo(slowClient, "source", { name: "copy" });
      await untilRegistered(slow, "copy");
      const during = await httpError(getRepo(slowClient, "copy"));
      expect([during.status, during.code]).toEqual([409, ErrorCode.FORK_IN_PROGRESS]);
      const token = await httpError(createToken(slowClient, { repo: "copy" }));
      expect(token.code).toBe(ErrorCode.FORK_IN_PROGRESS);
      expect((await forking).isOk()).toBe(true);
      expect((await getRepo(slowClient, "copy")).isOk()).toBe(true);

      const url = new URL(source.remote);
      url.username = "x";
      url.password = secretOf(source.token);
      const importing = importRepo(slowClient, "mirror", { url: url.href });
      await untilRegistered(slow, "mirror");
      expect((await httpError(getRepo(slowClient, "mirror"))).code).toBe(ErrorCode.IMPORT_IN_PROGRESS);
      const second = await httpError(importRepo(slowClient, "mirror", { url: url.href }));
      expect([second.status, second.code]).toEqual([409, ErrorCode.IMPORT_IN_PROGRESS]);
      // Empty source: git clones it, with a warning, as an empty repository.
      expect((await importing).isOk()).toBe(true);
    } finally {
      await slow.close();
    }
  });
});

describe("concurrency", () => {
  it("gives exactly one success to many parallel creates of one name", async () => {
    const name = unique("race");
    const results = await Promise.all(Array.from({ length: 25 }, () => createRepo(local.client, { name })));
    created.push(name);
    const ok = results.filter((result) => result.isOk());
    const codes = results
      .filter((result) => result.isErr())
      .map((result) => (result._unsafeUnwrapErr() as HttpError).code);
    expect(ok).toHaveLength(1);
    expect(codes).toEqual(Array(24).fill(ErrorCode.ALREADY_EXISTS));
    const [listed] = (await listRepos(local.client, { search: name }))._unsafeUnwrap();
    expect(listed).toHaveLength(1);
  });

  it("loses nothing when many different repos and tokens are made at once", async () => {
    const ns = createClient({ ...local.server.clientOptions, namespace: "parallel", retry: 0 });
    const names = Array.from({ length: 30 }, (_, i) => `p${i}`);
    const made = await Promise.all(names.map((name) => createRepo(ns, { name })));
    expect(made.every((result) => result.isOk())).toBe(true);
    const minted = await Promise.all(names.map((repo) => createToken(ns, { repo, scope: "read" })));
    expect(minted.every((result) => result.isOk())).toBe(true);
    const [listed] = (await listRepos(ns, { limit: 200 }))._unsafeUnwrap();
    expect(listed.map((repo) => repo.name).sort()).toEqual([...names].sort());
    await Promise.all(names.map((name) => deleteRepo(ns, name)));
    const [empty] = (await listRepos(ns))._unsafeUnwrap();
    expect(empty).toEqual([]);
  });
});
