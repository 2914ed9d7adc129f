import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  applyPatch,
  cherryPick,
  commitFiles,
  createBranch,
  createTag,
  deleteBranch,
  deleteTag,
  disposeGit,
  grepFiles,
  listCommits,
  listRefs,
  readFileStream,
  readFiles,
  revertCommits,
} from "../../src/git/index.js";
import { createClient, createRepo, createToken, gitCredentials } from "../../src/index.js";
import { type ArtifactsServer, startArtifactsServer } from "../../src/testing/index.js";
import { gitCli, readText, removeTempDirs, tempDir } from "../support/git.js";
import { type Simulator, simulatorAvailable, startSimulator } from "../support/simulator.js";

/**
 * Cloudflare's own local Artifacts simulator (what `wrangler dev` runs), driven through its binding: it mints
 * `art_v2_x_…` tokens and advertises no `filter`. The data plane and `gitCredentials` must work there as on our
 * server, judged by the git CLI.
 */

const author = { name: "Ada Agent", email: "ada@example.com", timestamp: 1_764_000_000, timezoneOffset: 0 };
const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

describe.runIf(simulatorAvailable)("Cloudflare's local simulator", () => {
  let simulator: Simulator;
  beforeAll(async () => {
    simulator = await startSimulator();
  }, 90_000);
  afterAll(async () => {
    await simulator?.close();
    await removeTempDirs();
  });

  it("mints art_v2_x_ tokens that gitCredentials reads, for the git CLI by header and by Basic URL", async () => {
    const repo = await simulator.create("credentials");
    expect(repo.token).toMatch(/^art_v2_x_[0-9a-f]{40}\?expires=\d+$/);
    const write = gitCredentials(repo.token)._unsafeUnwrap();
    expect(write.isExpired()).toBe(false);

    const work = await tempDir();
    await gitCli(["init", "--quiet", "-b", "main", work]);
    await import("node:fs/promises").then((fs) => fs.writeFile(join(work, "hello.txt"), "hello\n"));
    await gitCli(["add", "-A"], work);
    await gitCli(["commit", "--quiet", "-m", "from the git CLI"], work);
    const push = await gitCli(["-c", `http.extraHeader=${write.extraHeader}`, "push", repo.remote, "main"], work);
    expect(push.code, push.stderr).toBe(0);

    const read = gitCredentials((await simulator.token("credentials", "read")).plaintext)._unsafeUnwrap();
    const clone = await tempDir();
    const url = read.remoteUrl(repo.remote)._unsafeUnwrap();
    const cloned = await gitCli(["clone", "--quiet", url, clone]);
    expect(cloned.code, cloned.stderr).toBe(0);
    expect(await readText(clone, "hello.txt")).toBe("hello\n");
    expect(cloned.stderr).not.toContain(read.secret);

    // The data plane reads what the CLI pushed, and a read token cannot push.
    const files = (await readFiles({ remote: repo.remote, token: read.token }))._unsafeUnwrap();
    expect(text(files.files.get("hello.txt"))).toBe("hello\n");
    const refused = await commitFiles(
      { remote: repo.remote, token: read.token },
      { message: "no", author, files: { x: "x" } },
    );
    expect(refused._unsafeUnwrapErr()).toMatchObject({ _tag: "GitError", reason: "auth" });
    expect(refused._unsafeUnwrapErr().message).not.toContain(read.secret);
  });

  it("takes commits and reads (whole and by paths) in { remote, token } form, without filter", async () => {
    const repo = await simulator.create("commits");
    const heard: string[] = [];
    const debug = (line: string) => heard.push(line);
    const first = (
      await commitFiles(repo, { message: "one", author, files: { "a.txt": "a", "d/b.txt": "b", "d/e/f.txt": "f" } })
    )._unsafeUnwrap();
    // Another target on the same repo has none of its objects: it fetches the head, whole.
    const second = (
      await commitFiles({ ...repo }, { message: "two", author, files: { "d/b.txt": null, "d/c.txt": "c" } }, { debug })
    )._unsafeUnwrap();
    expect(second).toMatchObject({ parent: first.commit, branch: "main", unchanged: false });
    expect(heard).toContain("the remote does not advertise filter: fetching the commit with its files");
    const again = (await commitFiles(repo, { message: "same", author, files: { "d/c.txt": "c" } }))._unsafeUnwrap();
    expect(again).toMatchObject({ commit: second.commit, unchanged: true });

    const whole = (await readFiles(repo))._unsafeUnwrap();
    expect(whole.commit).toBe(second.commit);
    expect([...whole.files.keys()].sort()).toEqual(["a.txt", "d/c.txt", "d/e/f.txt"]);
    const some = (await readFiles(repo, { paths: ["d/e/", "a.txt"] }))._unsafeUnwrap();
    expect([...some.files.keys()].sort()).toEqual(["a.txt", "d/e/f.txt"]);
    const old = (await readFiles(repo, { ref: first.commit, paths: ["d/b.txt"] }))._unsafeUnwrap();
    expect(text(old.files.get("d/b.txt"))).toBe("b");

    const clone = await tempDir();
    const read = gitCredentials((await simulator.token("commits", "read")).plaintext)._unsafeUnwrap();
    expect(
      (await gitCli(["-c", `http.extraHeader=${read.extraHeader}`, "clone", "--quiet", repo.remote, clone])).code,
    ).toBe(0);
    expect((await gitCli(["log", "--format=%s|%an|%at", "main"], clone)).stdout).toBe(
      "two|Ada Agent|1764000000\none|Ada Agent|1764000000\n",
    );
    expect((await gitCli(["fsck", "--strict", "--no-dangling"], clone)).code).toBe(0);
  });
});

describe.runIf(simulatorAvailable)("branches on Cloudflare's local simulator, through the binding", () => {
  let simulator: Simulator;
  beforeAll(async () => {
    simulator = await startSimulator();
  }, 90_000);
  afterAll(() => simulator?.close());

  it("calls the binding for the repo's details and a token once; later calls are Git's alone, until disposeGit", async () => {
    await simulator.create("calls");
    const handle = simulator.handle("calls");
    const first = (await commitFiles(handle, { message: "one", author, files: { "d/a.txt": "a" } }))._unsafeUnwrap();
    expect([...handle.calls].sort()).toEqual(["GET /info", "POST /tokens?scope=write&ttl=600"]);
    const second = (await commitFiles(handle, { message: "two", author, files: { "d/b.txt": "b" } }))._unsafeUnwrap();
    const read = (await readFiles(handle, { paths: ["d/a.txt", "d/b.txt"] }))._unsafeUnwrap();
    expect((await listRefs(handle))._unsafeUnwrap().branches).toEqual({ main: second.commit });
    // The trees and blobs were the handle's own (written by its calls): none read through the binding either.
    expect(handle.calls).toHaveLength(2);
    expect(second.parent).toBe(first.commit);
    expect([...read.files].map(([path, bytes]) => [path, text(bytes)])).toEqual([
      ["d/a.txt", "a"],
      ["d/b.txt", "b"],
    ]);
    await disposeGit(handle);
    expect(handle.calls.slice(2)).toEqual([expect.stringMatching(/^DELETE \/tokens\/[0-9a-z]+$/)]);
    const revoked = handle.calls[2]?.split("/").pop();
    const listed = (await simulator.tokens("calls")).tokens.find((token) => token.id === revoked);
    expect(listed).toMatchObject({ state: "revoked" });
  });

  it("creates and deletes tags, lightweight and annotated, with the repo handle", async () => {
    await simulator.create("tags");
    const handle = simulator.handle("tags");
    const first = (await commitFiles(handle, { message: "one", author, files: { a: "1" } }))._unsafeUnwrap();
    (await createTag(handle, { name: "light", from: "main" }))._unsafeUnwrap();
    const annotated = (
      await createTag(handle, { name: "v1", from: "main", message: "v1", tagger: author })
    )._unsafeUnwrap();
    expect(annotated).toEqual({ name: "v1", commit: first.commit, tag: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect((await listRefs(handle))._unsafeUnwrap().tags).toEqual({ light: first.commit, v1: first.commit });
    expect((await deleteTag(handle, { name: "v1", parent: first.commit }))._unsafeUnwrap().commit).toBe(first.commit);
    expect((await listRefs(handle))._unsafeUnwrap().tags).toEqual({ light: first.commit });
    await disposeGit(handle);
  });

  it("walks history, greps, applies a patch, reverts and cherry-picks with the repo handle, as git sees it", async () => {
    const repo = await simulator.create("toolbox");
    const handle = simulator.handle("toolbox");
    const commit = async (files: Record<string, string>, message: string, branch?: string) =>
      (await commitFiles(handle, { message, author, files, branch }))._unsafeUnwrap().commit;
    const one = await commit({ "a.txt": "alpha\n", "src/x.ts": "// TODO x\n" }, "one");
    const two = await commit({ "b.txt": "beta\n" }, "two");
    (await createBranch(handle, { name: "release", from: one }))._unsafeUnwrap();
    const patched = (
      await applyPatch(handle, {
        patch: "--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-alpha\n+ALPHA\n",
        message: "p",
        author,
      })
    )._unsafeUnwrap();
    const reverted = (await revertCommits(handle, { commits: [two], branch: "main", author }))._unsafeUnwrap();
    const picked = (await cherryPick(handle, { commits: [patched.commit], into: "release", author }))._unsafeUnwrap();
    const found = (await grepFiles(handle, { pattern: "TODO|ALPHA" }))._unsafeUnwrap();
    expect(found.matches.map(({ path, line }) => `${path}:${line}`)).toEqual(["a.txt:1", "src/x.ts:1"]);

    const read = gitCredentials((await simulator.token("toolbox", "read")).plaintext)._unsafeUnwrap();
    const clone = await tempDir();
    const cloned = await gitCli(["-c", `http.extraHeader=${read.extraHeader}`, "clone", "--quiet", repo.remote, clone]);
    expect(cloned.code, cloned.stderr).toBe(0);
    const header = ["-c", `http.extraHeader=${read.extraHeader}`];
    const fetched = await gitCli([...header, "fetch", "--quiet", "origin", "release:release"], clone);
    expect(fetched.code, fetched.stderr).toBe(0);
    const gitLog = async (args: string[]) =>
      (await gitCli(["log", "--format=%H", ...args], clone)).stdout.trim().split("\n");
    const log = async (input: Parameters<typeof listCommits>[1]) =>
      (await listCommits(handle, input))._unsafeUnwrap().commits.map(({ commit: oid }) => oid);
    expect(await log({})).toEqual(await gitLog(["main"]));
    expect(await log({ paths: ["b.txt"] })).toEqual(await gitLog(["main", "--", "b.txt"]));
    expect(await log({ ref: "release" })).toEqual(await gitLog(["release"]));
    expect(reverted.commit).toBe((await gitCli(["rev-parse", "main"], clone)).stdout.trim());
    expect((await gitCli(["show", "release:a.txt"], clone)).stdout).toBe("ALPHA\n");
    expect(picked.parents).toEqual([one]);
    expect((await gitCli(["ls-tree", "--name-only", "main"], clone)).stdout).toBe("a.txt\nsrc\n");
    await disposeGit(handle);
  });

  it("lists, creates and deletes branches with the repo handle", async () => {
    await simulator.create("branches");
    const handle = simulator.handle("branches");
    const first = (await commitFiles(handle, { message: "one", author, files: { a: "1" } }))._unsafeUnwrap();
    (await createBranch(handle, { name: "agent/a", from: "main" }))._unsafeUnwrap();
    expect((await listRefs(handle))._unsafeUnwrap()).toEqual({
      head: "main",
      branches: { main: first.commit, "agent/a": first.commit },
      tags: {},
    });
    expect((await deleteBranch(handle, { name: "agent/a", parent: first.commit }))._unsafeUnwrap()).toEqual({
      name: "agent/a",
      commit: first.commit,
    });
    expect(Object.keys((await listRefs(handle))._unsafeUnwrap().branches)).toEqual(["main"]);
  });

  it("commits a 31 MB Blob and streams it back through the repo handle, byte for byte as git clones it", {
    timeout: 120_000,
  }, async () => {
    const repo = await simulator.create("large");
    const handle = simulator.handle("large");
    const bytes = randomBytes(31 * 1024 * 1024);
    const files = { "big.bin": new Blob([bytes]) };
    (await commitFiles(handle, { message: "large", author, files }))._unsafeUnwrap();
    const file = (await readFileStream(handle, { path: "big.bin" }))._unsafeUnwrap();
    expect(file.size).toBe(bytes.byteLength);
    const streamed = Buffer.from(await new Response(file.stream).arrayBuffer());
    expect(streamed.equals(bytes)).toBe(true);

    const read = gitCredentials((await simulator.token("large", "read")).plaintext)._unsafeUnwrap();
    const clone = await tempDir();
    const cloned = await gitCli(["-c", `http.extraHeader=${read.extraHeader}`, "clone", "--quiet", repo.remote, clone]);
    expect(cloned.code, cloned.stderr).toBe(0);
    expect((await readFile(join(clone, "big.bin"))).equals(bytes)).toBe(true);
  });
  it("runs inside workerd: a Worker commits a 31 MB upload through its binding and streams it back into a Response", {
    timeout: 120_000,
  }, async () => {
    // The Worker (support/simulator-worker) calls commitFiles(handle, { files: { path: await request.blob() } }) and
    // answers a GET with new Response(readFileStream(handle, { path }).stream): the SDK in the runtime it is for.
    const repo = await simulator.create("in-a-worker");
    const bytes = randomBytes(31 * 1024 * 1024);
    const url = `${simulator.origin}/repos/in-a-worker/files/data/big.bin`;
    const put = await fetch(url, { method: "PUT", body: bytes });
    const { commit } = (await put.json()) as { commit: string };
    expect(put.status).toBe(200);
    expect(commit).toMatch(/^[0-9a-f]{40}$/);

    const got = await fetch(url);
    expect(got.status).toBe(200);
    expect(got.headers.get("x-commit")).toBe(commit);
    expect(got.headers.get("x-size")).toBe(String(bytes.byteLength));
    expect(Buffer.from(await got.arrayBuffer()).equals(bytes)).toBe(true);

    const read = gitCredentials((await simulator.token("in-a-worker", "read")).plaintext)._unsafeUnwrap();
    const clone = await tempDir();
    const cloned = await gitCli(["-c", `http.extraHeader=${read.extraHeader}`, "clone", "--quiet", repo.remote, clone]);
    expect(cloned.code, cloned.stderr).toBe(0);
    expect((await gitCli(["rev-parse", "HEAD"], clone)).stdout.trim()).toBe(commit);
    expect((await readFile(join(clone, "data/big.bin"))).equals(bytes)).toBe(true);

    // A path the commit lacks is the SDK's typed error, as the Worker hands it on.
    const missing = await fetch(`${simulator.origin}/repos/in-a-worker/files/data/none.bin`);
    expect(missing.status).toBe(422);
    expect(await missing.json()).toEqual({
      _tag: "GitError",
      reason: "not-found",
      message: `no file data/none.bin at ${commit}`,
    });
  });
});

describe("the local server's token formats", () => {
  let server: ArtifactsServer;
  beforeAll(async () => {
    server = await startArtifactsServer({ tokenFormat: "v2" });
  });
  afterAll(() => server.close());

  it("mints art_v2_x_ tokens when asked, which the data plane, gitCredentials and git take", async () => {
    const client = createClient({ ...server.clientOptions, retry: 0 });
    const repo = (await createRepo(client, { name: "v2" }))._unsafeUnwrap();
    expect(repo.token).toMatch(/^art_v2_x_[0-9a-f]{40}\?expires=\d+$/);
    const minted = (await createToken(client, { repo: "v2", scope: "write" }))._unsafeUnwrap();
    expect(minted.plaintext).toMatch(/^art_v2_x_[0-9a-f]{40}\?expires=\d+$/);
    const made = await commitFiles(
      { remote: repo.remote, token: minted.plaintext },
      { message: "m", author, files: { a: "1" } },
    );
    expect(made.isOk()).toBe(true);
    const creds = gitCredentials(minted.plaintext)._unsafeUnwrap();
    const clone = await tempDir();
    expect((await gitCli(["clone", "--quiet", creds.remoteUrl(repo.remote)._unsafeUnwrap(), clone])).code).toBe(0);
    expect(await readText(clone, "a")).toBe("1");
    // The client form mints its own (v2) token for the call.
    expect((await readFiles(client, "v2"))._unsafeUnwrap().files.size).toBe(1);
  });
});
