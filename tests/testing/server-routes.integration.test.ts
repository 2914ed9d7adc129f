import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  allNamespaces,
  allRepos,
  allTokens,
  createClient,
  createNamespace,
  createRepo,
  createToken,
  ErrorCode,
  forkRepo,
  getBlob,
  getCommit,
  getFile,
  getLog,
  getNamespace,
  getRaw,
  getRepo,
  getTree,
  type HttpError,
  listNamespaces,
  repoPages,
  waitForRepo,
} from "../../src/index.js";
import { startArtifactsServer } from "../../src/testing/index.js";
import { gitCli, removeTempDirs, withBearer, workTree } from "../support/git.js";
import { useLocalServer } from "../support/local-server.js";
import { untilRegistered } from "../support/until.js";

const local = useLocalServer();
afterAll(() => removeTempDirs());

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe("namespaces", () => {
  it("creates, gets and lists namespaces with their repo counts", async () => {
    const created = (
      await createNamespace(local.client, { namespace: "eu-agents", jurisdiction: "eu" })
    )._unsafeUnwrap();
    expect(created).toMatchObject({ namespace: "eu-agents", jurisdiction: "eu", repo_count: 0 });
    const inside = createClient({ ...local.server.clientOptions, namespace: "eu-agents", retry: 0 });
    await createRepo(inside, { name: "one" });
    expect((await getNamespace(local.client, "eu-agents"))._unsafeUnwrap()).toMatchObject({ repo_count: 1 });

    const again = (await createNamespace(local.client, { namespace: "eu-agents" }))._unsafeUnwrapErr() as HttpError;
    expect([again.status, again.code]).toEqual([409, ErrorCode.ALREADY_EXISTS]);
    const bad = (
      await createNamespace(local.client, { namespace: "eu", jurisdiction: "mars" as never })
    )._unsafeUnwrapErr();
    expect((bad as HttpError).code).toBe(ErrorCode.INVALID_INPUT);
    const missing = (await getNamespace(local.client, "never-used"))._unsafeUnwrapErr() as HttpError;
    expect([missing.status, missing.code]).toEqual([404, ErrorCode.NOT_FOUND]);

    for (const name of ["ns-b", "ns-c", "ns-a"]) await createNamespace(local.client, { namespace: name });
    const [first, info] = (await listNamespaces(local.client, { limit: 2 }))._unsafeUnwrap();
    expect(first.map((ns) => ns.namespace)).toEqual(["eu-agents", "ns-a"]);
    expect(info.cursor).not.toBe("");
    const all = (await allNamespaces(local.client, { limit: 2 }))._unsafeUnwrap().map((ns) => ns.namespace);
    expect(all).toEqual(["eu-agents", "ns-a", "ns-b", "ns-c"]);
  });
});

describe("repo contents, served from real Git data", () => {
  beforeAll(async () => {
    const repo = (await createRepo(local.client, { name: "content" }))._unsafeUnwrap();
    const work = await workTree([
      { "README.md": "# Content\n" },
      { "docs/a b.txt": "spaced\n", "bin/data.bin": "\u0000\u0001\u0002" },
      { "site/index.html": "<p>hi</p>\n" },
    ]);
    await gitCli(["checkout", "-q", "-b", "feature/x"], work);
    await gitCli(["commit", "-q", "--allow-empty", "-m", "feature"], work);
    await gitCli(withBearer(repo.token, ["push", "-q", repo.remote, "main", "feature/x"]), work);
  });

  it("getLog lists commits newest first, with ref, limit and offset", async () => {
    const log = (await getLog(local.client, "content"))._unsafeUnwrap();
    expect(log.map((commit) => (commit.message as string).trim())).toEqual(["commit 3", "commit 2", "commit 1"]);
    const page = (await getLog(local.client, "content", { limit: 1, offset: 1 }))._unsafeUnwrap();
    expect(page.map((commit) => (commit.message as string).trim())).toEqual(["commit 2"]);
    const feature = (await getLog(local.client, "content", { ref: "feature/x", limit: 1 }))._unsafeUnwrap();
    expect(String(feature[0]?.message).trim()).toBe("feature");
    const missing = (await getLog(local.client, "content", { ref: "nope" }))._unsafeUnwrapErr() as HttpError;
    expect([missing.status, missing.code]).toEqual([404, ErrorCode.NOT_FOUND]);
  });

  it("getCommit, getTree and getBlob walk from a commit to a file's bytes", async () => {
    const [head] = (await getLog(local.client, "content", { limit: 1 }))._unsafeUnwrap();
    const commit = (await getCommit(local.client, "content", head?.hash as string))._unsafeUnwrap();
    expect(commit).toMatchObject({ hash: head?.hash, author: { name: "Test", email: "test@example.com" } });
    expect((commit.parents as string[]).length).toBe(1);

    const tree = (await getTree(local.client, "content", commit.tree as string))._unsafeUnwrap();
    expect(tree.map((entry) => entry.name)).toEqual(["README.md", "bin", "docs", "site"]);
    const readme = tree.find((entry) => entry.name === "README.md");
    expect(readme).toMatchObject({ mode: "100644", type: "blob" });
    expect(text((await getBlob(local.client, "content", readme?.hash as string))._unsafeUnwrap())).toBe("# Content\n");
  });

  it("refuses malformed hashes and answers 404 for missing objects", async () => {
    const bad = (await getCommit(local.client, "content", "HEAD"))._unsafeUnwrapErr() as HttpError;
    expect([bad.status, bad.code]).toEqual([400, ErrorCode.INVALID_INPUT]);
    const missing = (await getBlob(local.client, "content", "0".repeat(40)))._unsafeUnwrapErr() as HttpError;
    expect([missing.status, missing.code]).toEqual([404, ErrorCode.NOT_FOUND]);
  });

  it("getFile and getRaw read a file at a ref, byte for byte", async () => {
    const spaced = (await getFile(local.client, "content", { ref: "main", path: "docs/a b.txt" }))._unsafeUnwrap();
    expect(text(spaced)).toBe("spaced\n");
    const binary = (await getRaw(local.client, "content", "main", "bin/data.bin"))._unsafeUnwrap();
    expect(Array.from(binary.bytes)).toEqual([0, 1, 2]);
    expect(binary.contentType).toBe("application/octet-stream");
    const html = (await getRaw(local.client, "content", "feature/x", "site/index.html"))._unsafeUnwrap();
    expect(html).toEqual({ bytes: new TextEncoder().encode("<p>hi</p>\n"), contentType: "text/html; charset=utf-8" });
    const dir = (await getFile(local.client, "content", { ref: "main", path: "docs" }))._unsafeUnwrapErr() as HttpError;
    expect(dir.code).toBe(ErrorCode.NOT_FOUND);
  });
});

describe("pagination helpers against the server", () => {
  it("walks 23 repos in pages of 5 and 45 tokens in pages of 10", async () => {
    const ns = createClient({ ...local.server.clientOptions, namespace: "many", retry: 0 });
    const names = Array.from({ length: 23 }, (_, i) => `r${String(i).padStart(2, "0")}`);
    await Promise.all(names.map((name) => createRepo(ns, { name })));
    let pages = 0;
    for await (const page of repoPages(ns, { limit: 5, sort: "name", direction: "asc" })) {
      expect(page.isOk()).toBe(true);
      pages++;
    }
    expect(pages).toBe(5);
    const all = (await allRepos(ns, { limit: 5, sort: "name", direction: "asc" }))._unsafeUnwrap();
    expect(all.map((repo) => repo.name)).toEqual(names);

    for (let i = 0; i < 44; i++) await createToken(ns, { repo: "r00", scope: "read" });
    const tokens = (await allTokens(ns, "r00", { per_page: 10 }))._unsafeUnwrap();
    expect(tokens).toHaveLength(45);
    expect(new Set(tokens.map((token) => token.id)).size).toBe(45);
  });
});

describe("waiting for imports and forks", () => {
  it("waitForRepo sees FORK_IN_PROGRESS, then the ready repo", async () => {
    const slow = await startArtifactsServer({ operationDelayMs: 1000 });
    const slowClient = createClient({ ...slow.clientOptions, retry: 0 });
    try {
      await createRepo(slowClient, { name: "origin" });
      const forking = forkRepo(slowClient, "origin", { name: "copy" });
      await untilRegistered(slow, "copy");
      expect(((await getRepo(slowClient, "copy"))._unsafeUnwrapErr() as HttpError).code).toBe(
        ErrorCode.FORK_IN_PROGRESS,
      );
      const ready = (await waitForRepo(slowClient, "copy", { interval: 50 }))._unsafeUnwrap();
      expect(ready.name).toBe("copy");
      expect((await forking).isOk()).toBe(true);
    } finally {
      await slow.close();
    }
  });
});
