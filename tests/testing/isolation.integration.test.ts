import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { commitFiles } from "../../src/git/index.js";
import { createRepo, deleteRepo, forkRepo, getCommit, getLog, getRepo, importRepo } from "../../src/index.js";
import { gitCli, removeTempDirs, tempDir, withBearer } from "../support/git.js";
import { useLocalServer } from "../support/local-server.js";
import { readToken as readTokenOf, twoBranchRepo, withSecret } from "../support/repos.js";
import { untilRegistered } from "../support/until.js";

/**
 * The local server's isolation: git children inherit nothing of the host, forks hold only what they took, the Git
 * routes are smart HTTP only and scope-checked, concurrent creates and deletes leave no orphan, and no import
 * keeps its source's credentials. Git is judged by the git CLI.
 */

const author = { name: "Ada", email: "ada@example.com" };
let counter = 0;
const unique = (prefix: string) => `${prefix}-${++counter}`;

const local = useLocalServer({ operationDelayMs: 200, gitRateLimit: { requests: 1000, windowMs: 60_000 } });
afterAll(() => removeTempDirs());

const twoBranches = () => twoBranchRepo(local.client, unique("src"));
const readToken = (repo: string) => readTokenOf(local.client, repo);

describe("isolation", () => {
  it("gives git children no inherited GIT_* variables: an empty repo's log is not the host's", async () => {
    const host = await tempDir();
    await gitCli(["init", "--quiet", "-b", "main", host]);
    await writeFile(join(host, "host.txt"), "host");
    await gitCli(["add", "-A"], host);
    await gitCli(["commit", "--quiet", "-m", "the host's own commit"], host);
    const name = unique("empty");
    await createRepo(local.client, { name });
    const saved = { GIT_DIR: process.env.GIT_DIR, GIT_WORK_TREE: process.env.GIT_WORK_TREE };
    process.env.GIT_DIR = join(host, ".git");
    process.env.GIT_WORK_TREE = host;
    try {
      const log = await getLog(local.client, name);
      expect(log._unsafeUnwrapErr()).toMatchObject({ _tag: "HttpError", status: 404, code: 10200 });
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it("forks only what the forked branches reach: another branch's objects cannot be had by id", async () => {
    const source = await twoBranches();
    const name = unique("fork");
    const fork = (await forkRepo(local.client, source.name, { name }))._unsafeUnwrap();
    // Over protocol v2, by id:
    const clone = await tempDir();
    await gitCli(["init", "--quiet", "--bare", clone]);
    const fetched = await gitCli(
      withBearer(fork.token, ["-C", clone, "fetch", "--quiet", fork.remote, source.feature]),
    );
    expect(fetched.code).not.toBe(0);
    const main = await gitCli(withBearer(fork.token, ["-C", clone, "fetch", "--quiet", fork.remote, source.main]));
    expect(main.code).toBe(0);
    // Over dumb HTTP, by path:
    const loose = await fetch(`${fork.remote}/objects/${source.feature.slice(0, 2)}/${source.feature.slice(2)}`, {
      headers: { authorization: `Bearer ${fork.token}` },
    });
    expect(loose.status).toBe(404);
    // Through the content routes:
    expect((await getCommit(local.client, name, source.feature))._unsafeUnwrapErr()).toMatchObject({
      status: 404,
      code: 10200,
    });
    expect((await getCommit(local.client, name, source.main)).isOk()).toBe(true);
  });

  it("serves smart HTTP only: HEAD, objects and a bare info/refs are 404", async () => {
    const { repo } = await twoBranches();
    const token = await readToken(repo.name);
    for (const path of ["HEAD", "info/refs", "objects/info/packs", "config", "/info/refs?service=git-upload-pack"]) {
      const response = await fetch(`${repo.remote}/${path}`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status, path).toBe(404);
    }
  });

  it("refuses a repeated service, which would have given a read token the push advertisement", async () => {
    const { repo } = await twoBranches();
    const token = await readToken(repo.name);
    const headers = { authorization: `Bearer ${token}` };
    const both = await fetch(`${repo.remote}/info/refs?service=git-upload-pack&service=git-receive-pack`, { headers });
    expect(both.status).toBe(400);
    expect(await both.text()).not.toContain("receive-pack");
    const push = await fetch(`${repo.remote}/info/refs?service=git-receive-pack`, { headers });
    expect(push.status).toBe(403);
    const read = await fetch(`${repo.remote}/info/refs?service=git-upload-pack`, { headers });
    expect(read.status).toBe(200);
  });

  it("acts on the repo a fork started with: a fork finishing after its target was deleted and re-made leaves the new repo", async () => {
    const source = await twoBranches();
    const name = unique("race");
    const forking = forkRepo(local.client, source.name, { name });
    await untilRegistered(local.server, name);
    expect((await deleteRepo(local.client, name)).isOk()).toBe(true);
    const again = (await createRepo(local.client, { name }))._unsafeUnwrap();
    const fork = await forking;
    expect(fork._unsafeUnwrapErr()).toMatchObject({ _tag: "HttpError", status: 404 });
    const now = (await getRepo(local.client, name))._unsafeUnwrap();
    expect(now.id).toBe(again.id);
    // Its folder is whole: the data plane commits to it.
    expect((await commitFiles(local.client, name, { message: "x", author, files: { x: "x" } })).isOk()).toBe(true);
    const dirs = (await readdir(local.server.dataDir)).filter((dir) => dir.endsWith(".git"));
    const ids = [...(local.server.state.namespaces.get("default")?.repos.values() ?? [])].map(
      (repo) => `${repo.id}.git`,
    );
    expect(dirs.sort()).toEqual(ids.sort());
  });

  it("leaves no orphan folder when creates and deletes of one name race", async () => {
    const name = unique("churn");
    for (let round = 0; round < 25; round++) {
      await Promise.all([createRepo(local.client, { name }), deleteRepo(local.client, name)]);
    }
    await deleteRepo(local.client, name);
    const dirs = (await readdir(local.server.dataDir)).filter((dir) => dir.endsWith(".git"));
    const ids = [...(local.server.state.namespaces.get("default")?.repos.values() ?? [])].map(
      (repo) => `${repo.id}.git`,
    );
    expect(dirs.sort()).toEqual(ids.sort());
  });

  it("answers 404 for an empty path part in a Git URL", async () => {
    const { repo } = await twoBranches();
    const token = await readToken(repo.name);
    const response = await fetch(`${repo.remote}//info/refs?service=git-upload-pack`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(404);
  });

  it.each([
    "x.lock",
    "a/b.lock",
    "a..b",
    "a//b",
    "a/.b",
    "a/",
    "a.",
    "-x",
    "a b",
    "a~1",
    "a^",
    "a:b",
    "a?",
    "a*",
    "a[",
    "a\\b",
  ])("refuses default_branch %j as git would (10100)", async (branch) => {
    const result = await createRepo(local.client, { name: unique("branch"), default_branch: branch });
    expect(result._unsafeUnwrapErr()).toMatchObject({ status: 400, code: 10100 });
    const git = await gitCli(["check-ref-format", "--branch", branch]);
    expect(git.code).not.toBe(0);
  });

  it("keeps no credentials of an import source, on disk or in source", async () => {
    const source = await twoBranches();
    const url = withSecret(source.repo.remote, await readToken(source.name));
    const name = unique("imp");
    (await importRepo(local.client, name, { url: url.href }))._unsafeUnwrap();
    const record = local.server.state.findRepo("default", name);
    const config = await readFile(join(local.server.dataDir, `${record?.id}.git`, "config"), "utf8");
    expect(config).not.toContain(url.password);
    expect((await getRepo(local.client, name))._unsafeUnwrap().source).toBe(source.repo.remote);
  });
});
