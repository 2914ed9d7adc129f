import { execFile } from "node:child_process";
import { chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { type CommitFilesInput, commitFiles, disposeGit, GitError, readFiles } from "../../src/git/index.js";
import { createClient, createRepo, createToken, deleteRepo } from "../../src/index.js";
import { gitCli, removeTempDirs } from "../support/git.js";
import { useLocalServer } from "../support/local-server.js";

const local = useLocalServer();
afterAll(() => removeTempDirs());

let counter = 0;
const created: string[] = [];
afterEach(async () => {
  await Promise.all(created.splice(0).map((name) => deleteRepo(local.client, name)));
});

async function newRepo(extra: { default_branch?: string } = {}) {
  const name = `data-${++counter}`;
  const repo = (await createRepo(local.client, { name, ...extra }))._unsafeUnwrap();
  created.push(name);
  return repo;
}

/** The real git, on the server's bare repository: the judge of what the data plane wrote. */
async function git(name: string, args: string[]): Promise<string> {
  const record = local.server.state.findRepo("default", name);
  if (!record) throw new Error(`no repo ${name}`);
  const result = await gitCli(["--git-dir", join(local.server.dataDir, `${record.id}.git`), ...args]);
  if (result.code !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}
const bareDir = (name: string) => join(local.server.dataDir, `${local.server.state.findRepo("default", name)?.id}.git`);
const head = async (name: string, branch = "main") =>
  (
    await gitCli(["--git-dir", bareDir(name), "rev-parse", "--verify", "--quiet", `refs/heads/${branch}`])
  ).stdout.trim();
const files = async (name: string, ref = "main") =>
  (await git(name, ["ls-tree", "-r", "-z", "--name-only", ref])).split("\0").filter(Boolean);
const blob = async (name: string, spec: string) =>
  new Promise<Buffer>((resolve, reject) =>
    execFile("git", ["--git-dir", bareDir(name), "cat-file", "blob", spec], { encoding: "buffer" }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    ),
  );
/** The repo's tokens, less the one `createRepo` returned inline. */
const tokensOf = (name: string) => {
  const id = local.server.state.findRepo("default", name)?.id;
  return [...local.server.state.tokens.values()].filter((token) => token.repoId === id).slice(1);
};

const author = { name: "Ada Agent", email: "ada@example.com", timestamp: 1_764_000_000, timezoneOffset: -120 };
const binary = new Uint8Array(256).map((_, index) => 255 - index);

describe("commitFiles", () => {
  it("makes the first commit of an empty repo: nested, unicode and binary files, author and message exact", async () => {
    const repo = await newRepo();
    const result = await commitFiles(local.client, repo.name, {
      message: "First notes\n\nWith a body.",
      author,
      files: {
        "README.md": "# Notes\n",
        "docs/guide/intro.md": "intro",
        "données/été ☀.txt": "soleil",
        "logo.bin": binary,
      },
    });
    const made = result._unsafeUnwrap();
    expect(made).toEqual({
      commit: await head(repo.name),
      parent: null,
      tree: made.tree,
      branch: "main",
      unchanged: false,
    });
    expect((await git(repo.name, ["rev-parse", "main^{tree}"])).trim()).toBe(made.tree);
    expect(await git(repo.name, ["log", "-1", "--format=%an|%ae|%at|%ai|%cn|%ce|%P", "main"])).toBe(
      "Ada Agent|ada@example.com|1764000000|2025-11-24 18:00:00 +0200|Ada Agent|ada@example.com|\n",
    );
    expect(await git(repo.name, ["log", "-1", "--format=%B", "main"])).toBe("First notes\n\nWith a body.\n\n");
    expect((await files(repo.name)).sort()).toEqual(
      ["README.md", "docs/guide/intro.md", "données/été ☀.txt", "logo.bin"].sort(),
    );
    expect(new Uint8Array(await blob(repo.name, "main:logo.bin"))).toEqual(binary);
    expect((await blob(repo.name, "main:données/été ☀.txt")).toString("utf8")).toBe("soleil");
    const fsck = await gitCli(["--git-dir", bareDir(repo.name), "fsck", "--strict", "--no-dangling"]);
    expect(fsck).toMatchObject({ code: 0, stderr: "" });
  });

  it("updates and deletes on the head: an emptied folder disappears, an executable keeps its bit", async () => {
    const repo = await newRepo();
    const first = (
      await commitFiles(local.client, repo.name, {
        message: "one",
        author,
        files: { "keep.txt": "v1", "tools/run.sh": "#!/bin/sh\n", "old/deep/only.txt": "x", "old/gone.txt": "y" },
      })
    )._unsafeUnwrap();
    // Make run.sh executable with the real git, then update it through the data plane.
    const work = await import("../support/git.js").then((module) => module.tempDir());
    const remote = repo.remote.replace("://", `://x:${(await writeToken(repo.name)).split("?")[0]}@`);
    await gitCli(["clone", "--quiet", remote, work]);
    await chmod(join(work, "tools/run.sh"), 0o755);
    await gitCli(["commit", "--quiet", "-am", "exec"], work);
    expect((await gitCli(["push", "--quiet", "origin", "main"], work)).code).toBe(0);
    const exec = await head(repo.name);

    const second = (
      await commitFiles(local.client, repo.name, {
        message: "two",
        author,
        files: {
          "keep.txt": "v2",
          "tools/run.sh": "#!/bin/sh\necho hi\n",
          "old/deep/only.txt": null,
          "old/gone.txt": null,
        },
      })
    )._unsafeUnwrap();
    expect(second.parent).toBe(exec);
    expect(first.parent).toBeNull();
    expect((await files(repo.name)).sort()).toEqual(["keep.txt", "tools/run.sh"]);
    expect(await git(repo.name, ["ls-tree", "main", "tools/run.sh"])).toMatch(/^100755 blob /);
    expect((await blob(repo.name, "main:keep.txt")).toString()).toBe("v2");
    expect((await git(repo.name, ["log", "--format=%s", "main"])).split("\n").filter(Boolean)).toEqual([
      "two",
      "exec",
      "one",
    ]);
    expect((await gitCli(["--git-dir", bareDir(repo.name), "fsck", "--strict", "--no-dangling"])).code).toBe(0);
  });

  it("turns a file into a folder only when the same commit deletes the file", async () => {
    const repo = await newRepo();
    await commitFiles(local.client, repo.name, { message: "one", author, files: { notes: "a file" } });
    const before = await head(repo.name);
    const refused = await commitFiles(local.client, repo.name, {
      message: "two",
      author,
      files: { "notes/a.md": "a" },
    });
    expect(refused._unsafeUnwrapErr()).toMatchObject({ _tag: "InvalidInputError", field: "files" });
    expect(await head(repo.name)).toBe(before);
    const replaced = await commitFiles(local.client, repo.name, {
      message: "two",
      author,
      files: { notes: null, "notes/a.md": "a" },
    });
    expect(replaced.isOk()).toBe(true);
    expect(await files(repo.name)).toEqual(["notes/a.md"]);
  });

  it("compare-and-swap: a stale parent or parent null on an existing branch is a conflict and changes nothing", async () => {
    const repo = await newRepo();
    const first = (
      await commitFiles(local.client, repo.name, { message: "one", author, files: { a: "1" }, parent: null })
    )._unsafeUnwrap();
    const second = (
      await commitFiles(local.client, repo.name, { message: "two", author, files: { a: "2" }, parent: first.commit })
    )._unsafeUnwrap();
    expect(second.parent).toBe(first.commit);

    const stale = await commitFiles(local.client, repo.name, {
      message: "three",
      author,
      files: { a: "3" },
      parent: first.commit,
    });
    expect(stale._unsafeUnwrapErr()).toBeInstanceOf(GitError);
    expect(stale._unsafeUnwrapErr()).toMatchObject({ _tag: "GitError", reason: "conflict" });
    const exists = await commitFiles(local.client, repo.name, {
      message: "three",
      author,
      files: { a: "3" },
      parent: null,
    });
    expect(exists._unsafeUnwrapErr()).toMatchObject({ _tag: "GitError", reason: "conflict" });
    const missing = await commitFiles(local.client, repo.name, {
      message: "x",
      author,
      files: { a: "3" },
      branch: "nope",
      parent: first.commit,
    });
    expect(missing._unsafeUnwrapErr()).toMatchObject({ _tag: "GitError", reason: "conflict" });
    expect(await head(repo.name)).toBe(second.commit);
    expect(await head(repo.name, "nope")).toBe("");
  });

  it("lands six concurrent commits without parent, three from other processes, by re-applying on the new head", async () => {
    const repo = await newRepo();
    const base = (
      await commitFiles(local.client, repo.name, { message: "base", author, files: { "base.txt": "b" } })
    )._unsafeUnwrap();
    const child = (index: number) =>
      new Promise<{ ok?: { commit: string }; err?: string }>((resolve) =>
        execFile(
          process.execPath,
          [
            "--import",
            "tsx",
            join(import.meta.dirname, "../support/commit-child.ts"),
            JSON.stringify({
              clientOptions: local.server.clientOptions,
              repo: repo.name,
              path: `child-${index}.txt`,
              content: `${index}`,
            }),
          ],
          { cwd: join(import.meta.dirname, "../..") },
          (error, stdout, stderr) => resolve(error ? { err: `${error.message} ${stderr}` } : JSON.parse(stdout)),
        ),
      );
    const inProcess = (index: number) =>
      commitFiles(local.client, repo.name, {
        message: `write local-${index}`,
        author,
        files: { [`local-${index}.txt`]: `${index}` },
      });
    const results = await Promise.all([child(1), inProcess(1), child(2), inProcess(2), child(3), inProcess(3)]);
    for (const result of results) {
      const settled =
        "isOk" in result ? (result.isOk() ? { ok: result.value } : { err: result.error.message }) : result;
      expect(settled.err).toBeUndefined();
    }
    expect((await files(repo.name)).sort()).toEqual([
      "base.txt",
      "child-1.txt",
      "child-2.txt",
      "child-3.txt",
      "local-1.txt",
      "local-2.txt",
      "local-3.txt",
    ]);
    // A straight line of seven commits on top of each other: nothing was lost or merged.
    expect((await git(repo.name, ["rev-list", "--count", "--first-parent", "main"])).trim()).toBe("7");
    expect((await git(repo.name, ["rev-list", "--count", "main"])).trim()).toBe("7");
    expect((await git(repo.name, ["rev-list", "--max-parents=0", "main"])).trim()).toBe(base.commit);
  });

  it("starts a branch from another branch's head, or as a root commit", async () => {
    const repo = await newRepo();
    const main = (
      await commitFiles(local.client, repo.name, { message: "main", author, files: { "m.txt": "m" } })
    )._unsafeUnwrap();
    const feature = (
      await commitFiles(local.client, repo.name, {
        message: "f",
        author,
        files: { "f.txt": "f" },
        branch: "feature/x",
        from: "main",
      })
    )._unsafeUnwrap();
    expect(feature).toMatchObject({
      parent: main.commit,
      branch: "feature/x",
      commit: await head(repo.name, "feature/x"),
    });
    expect((await files(repo.name, "feature/x")).sort()).toEqual(["f.txt", "m.txt"]);
    // `from` only applies to a branch that does not exist yet.
    const again = (
      await commitFiles(local.client, repo.name, {
        message: "f2",
        author,
        files: { "g.txt": "g" },
        branch: "feature/x",
        from: "nope",
      })
    )._unsafeUnwrap();
    expect(again.parent).toBe(feature.commit);

    const orphan = (
      await commitFiles(local.client, repo.name, { message: "o", author, files: { "o.txt": "o" }, branch: "orphan" })
    )._unsafeUnwrap();
    expect(orphan.parent).toBeNull();
    expect(await files(repo.name, "orphan")).toEqual(["o.txt"]);
    expect(await git(repo.name, ["log", "--format=%P", "orphan"])).toBe("\n");

    const noSource = await commitFiles(local.client, repo.name, {
      message: "n",
      author,
      files: { a: "a" },
      branch: "new",
      from: "missing",
    });
    expect(noSource._unsafeUnwrapErr()).toMatchObject({ _tag: "GitError", reason: "not-found" });
    expect(await head(repo.name, "new")).toBe("");
  });

  it("takes { remote, token } without an API token, with the remote's HEAD as the default branch", async () => {
    const repo = await newRepo({ default_branch: "trunk" });
    const token = await writeToken(repo.name);
    const tokensBefore = tokensOf(repo.name).length;
    const made = (
      await commitFiles({ remote: repo.remote, token }, { message: "via remote", author, files: { "r.txt": "r" } })
    )._unsafeUnwrap();
    expect(made).toMatchObject({ branch: "trunk", parent: null, commit: await head(repo.name, "trunk") });
    const read = (await readFiles({ remote: repo.remote, token }))._unsafeUnwrap();
    expect(read.commit).toBe(made.commit);
    expect(new TextDecoder().decode(read.files.get("r.txt"))).toBe("r");
    // Nothing minted, nothing revoked: the given token still works.
    expect(tokensOf(repo.name)).toHaveLength(tokensBefore);
    expect(tokensOf(repo.name).every((record) => !record.revoked)).toBe(true);
  });

  it("refuses to commit with a read token (auth), and hides the token in the error", async () => {
    const repo = await newRepo();
    await commitFiles(local.client, repo.name, { message: "one", author, files: { a: "1" } });
    const before = await head(repo.name);
    const token = (await createToken(local.client, { repo: repo.name, scope: "read" }))._unsafeUnwrap().plaintext;
    const refused = await commitFiles(local.client, repo.name, { message: "two", author, files: { a: "2" }, token });
    const error = refused._unsafeUnwrapErr();
    expect(error).toMatchObject({ _tag: "GitError", reason: "auth", status: 403 });
    const secret = token.split("?")[0] as string;
    for (const shown of [error.message, String(error), JSON.stringify(error), inspect(error), error.stack ?? ""]) {
      expect(shown).not.toContain(secret);
    }
    expect(await head(repo.name)).toBe(before);
  });

  it("is an Err for a missing repo, and a GitError not-found for a missing remote", async () => {
    const missing = await commitFiles(local.client, "no-such-repo", { message: "m", author, files: { a: "a" } });
    expect(missing._unsafeUnwrapErr()).toMatchObject({ _tag: "HttpError", status: 404, code: 10200 });
    const repo = await newRepo();
    const token = await writeToken(repo.name);
    const remote = repo.remote.replace(`/${repo.name}.git`, "/no-such-repo.git");
    const gone = await commitFiles({ remote, token }, { message: "m", author, files: { a: "a" } });
    expect(gone._unsafeUnwrapErr()).toMatchObject({ _tag: "GitError", reason: "not-found", status: 404 });
  });

  it("mints one token for its calls on a repo (a write token serves reads), revoked when disposed", async () => {
    const repo = await newRepo();
    expect(tokensOf(repo.name)).toHaveLength(0);
    const client = createClient({ ...local.server.clientOptions, retry: 0 });
    const ok = await commitFiles(client, repo.name, { message: "one", author, files: { a: "1" } });
    const read = await readFiles(client, repo.name);
    const conflict = await commitFiles(client, repo.name, { message: "x", author, files: { a: "2" }, parent: null });
    const missing = await readFiles(client, repo.name, { ref: "no-such-branch" });
    expect([ok.isOk(), read.isOk(), conflict.isErr(), missing.isErr()]).toEqual([true, true, true, true]);
    expect(tokensOf(repo.name).map((token) => [token.scope, token.revoked])).toEqual([["write", false]]);
    // Short-lived: ten minutes at most, so one never revoked leaks little.
    const [minted] = tokensOf(repo.name);
    expect((minted?.expires ?? 0) * 1000 - Date.parse(minted?.created_at ?? "")).toBeLessThanOrEqual(600_000);

    await disposeGit(client);
    expect(tokensOf(repo.name).map((token) => [token.scope, token.revoked])).toEqual([["write", true]]);
    // A disposed client starts afresh: a read mints a read token, the narrowest its call needs.
    (await readFiles(client, repo.name))._unsafeUnwrap();
    expect(tokensOf(repo.name).map((token) => [token.scope, token.revoked])).toEqual([
      ["write", true],
      ["read", false],
    ]);
    await disposeGit(client);
    expect(tokensOf(repo.name).every((token) => token.revoked)).toBe(true);
  });

  it("is a rejected Err when the remote's hook refuses the push, with what the hook said", async () => {
    const repo = await newRepo();
    await commitFiles(local.client, repo.name, { message: "one", author, files: { a: "1" } });
    const before = await head(repo.name);
    const hook = join(bareDir(repo.name), "hooks/pre-receive");
    await import("node:fs/promises").then((fs) => fs.mkdir(join(bareDir(repo.name), "hooks"), { recursive: true }));
    await writeFile(hook, "#!/bin/sh\necho 'policy: no pushes today' >&2\nexit 1\n");
    await chmod(hook, 0o755);
    const refused = await commitFiles(local.client, repo.name, { message: "two", author, files: { a: "2" } });
    const error = refused._unsafeUnwrapErr();
    expect(error).toMatchObject({ _tag: "GitError", reason: "rejected" });
    expect(error.message).toContain("pre-receive hook declined");
    expect(error.message).toContain("policy: no pushes today");
    expect(await head(repo.name)).toBe(before);
  });

  it("pushes nothing when the files change nothing (unchanged), unless allowEmpty", async () => {
    const repo = await newRepo();
    const first = (
      await commitFiles(local.client, repo.name, { message: "one", author, files: { a: "1", "d/b": "2" } })
    )._unsafeUnwrap();
    const same = await commitFiles(local.client, repo.name, {
      message: "again",
      author,
      files: { a: "1", "d/x": null },
    });
    expect(same._unsafeUnwrap()).toEqual({ ...first, parent: first.commit, unchanged: true });
    expect(await head(repo.name)).toBe(first.commit);

    const empty = (
      await commitFiles(local.client, repo.name, { message: "empty", author, files: { a: "1" }, allowEmpty: true })
    )._unsafeUnwrap();
    expect(empty).toMatchObject({ parent: first.commit, tree: first.tree, unchanged: false });
    expect(await head(repo.name)).toBe(empty.commit);
    expect(await git(repo.name, ["log", "--format=%s", "main"])).toBe("empty\none\n");

    // A new branch from another with nothing changed is that head under a new name: no commit is made.
    const branched = (
      await commitFiles(local.client, repo.name, { message: "b", author, files: {}, branch: "copy", from: "main" })
    )._unsafeUnwrap();
    expect(branched).toMatchObject({ commit: empty.commit, parent: empty.commit, branch: "copy", unchanged: true });
    expect(await head(repo.name, "copy")).toBe(empty.commit);
    await expect(git(repo.name, ["fsck", "--strict", "--no-dangling"])).resolves.toBe("");
  });

  it("takes what readFiles returns, edited, as files (a Map)", async () => {
    const repo = await newRepo();
    await commitFiles(local.client, repo.name, { message: "one", author, files: { "a.txt": "a", "b/c.txt": "c" } });
    const read = (await readFiles(local.client, repo.name))._unsafeUnwrap();
    const edited = new Map<string, Uint8Array | string | null>(read.files).set("a.txt", "A").set("b/c.txt", null);
    const made = (
      await commitFiles(local.client, repo.name, { message: "edit", author, files: edited })
    )._unsafeUnwrap();
    expect(made.unchanged).toBe(false);
    expect(await files(repo.name)).toEqual(["a.txt"]);
    expect((await blob(repo.name, "main:a.txt")).toString()).toBe("A");
  });

  it("resolves, never rejects, when the debug listener throws", async () => {
    const repo = await newRepo();
    // Every revocation fails: the call says so through debug, which throws.
    const failingRevoke = createClient({
      ...local.server.clientOptions,
      retry: 0,
      fetch: (input: RequestInfo | URL, init?: RequestInit) => {
        const request = new Request(input, init);
        if (request.method === "DELETE" && request.url.includes("/tokens/")) {
          return Promise.resolve(
            Response.json({ success: false, errors: [{ code: 10400, message: "no" }] }, { status: 500 }),
          );
        }
        return fetch(request);
      },
    });
    let heard = 0;
    const debug = () => {
      heard++;
      throw new Error("a listener bug");
    };
    const made = await commitFiles(failingRevoke, repo.name, { message: "m", author, files: { a: "1" } }, { debug });
    expect(made.isOk()).toBe(true);
    expect(heard).toBe(0);
    // The revocation at dispose fails: the minting call's listener hears it, throws, and disposal still resolves.
    await expect(disposeGit(failingRevoke)).resolves.toBeUndefined();
    expect(heard).toBe(1);
  });

  it("keeps the token it was minting when the caller aborts meanwhile: the next call uses it", async () => {
    const repo = await newRepo();
    const slowMint = createClient({
      ...local.server.clientOptions,
      retry: 0,
      fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
        const request = new Request(input, init);
        if (request.method === "POST" && request.url.endsWith("/tokens")) await new Promise((r) => setTimeout(r, 300));
        return fetch(request);
      },
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const result = await commitFiles(
      slowMint,
      repo.name,
      { message: "m", author, files: { a: "1" } },
      { signal: controller.signal },
    );
    expect(result._unsafeUnwrapErr()).toMatchObject({ _tag: "TransportError", reason: "abort" });
    expect(Date.now() - started).toBeLessThan(250);
    expect(await head(repo.name)).toBe("");
    await expect.poll(() => tokensOf(repo.name).length).toBe(1);

    (await commitFiles(slowMint, repo.name, { message: "m", author, files: { a: "1" } }))._unsafeUnwrap();
    expect(tokensOf(repo.name).map((token) => [token.scope, token.revoked])).toEqual([["write", false]]);
    await disposeGit(slowMint);
    expect(tokensOf(repo.name).map((token) => [token.scope, token.revoked])).toEqual([["write", true]]);
  });

  it("refuses bad input before anything is sent", async () => {
    const repo = await newRepo();
    const cases: [Record<string, unknown>, string][] = [
      [{ files: { "../escape": "x" } }, "files"],
      [{ files: { ".git/config": "x" } }, "files"],
      [{ files: { "a//b": "x" } }, "files"],
      [{ files: { "/abs": "x" } }, "files"],
      [{ files: { a: "x", "a/b": "y" } }, "files"],
      [{ files: { a: 42 } }, "files"],
      [{ files: { a: "\uD800" } }, "files"],
      [{ parent: "HEAD" }, "parent"],
      [{ branch: "bad..name" }, "branch"],
      [{ branch: "x.lock" }, "branch"],
      [{ from: "-x" }, "from"],
      [{ author: { name: "A <b>", email: "a@b" } }, "author"],
      [{ author: { name: "A", email: "a@b", timestamp: Number.NaN } }, "author"],
      [{ message: 42 }, "message"],
      [{ token: "not a token" }, "token"],
    ];
    for (const [override, field] of cases) {
      const input = { message: "m", author, files: { ok: "x" }, ...override } as CommitFilesInput;
      const result = await commitFiles(local.client, repo.name, input);
      expect(result._unsafeUnwrapErr(), JSON.stringify(override)).toMatchObject({ _tag: "InvalidInputError", field });
    }
    const badRemote = await commitFiles(
      { remote: "ftp://x", token: "art_v1_0000000000000000000000000000000000000000" },
      { message: "m", author, files: {} },
    );
    expect(badRemote._unsafeUnwrapErr()).toMatchObject({ _tag: "InvalidInputError", field: "remote" });
    expect(tokensOf(repo.name)).toHaveLength(0);
    expect(await head(repo.name)).toBe("");
  });
});

describe("readFiles", () => {
  it("reads every file, or the selected paths and folders, at a branch, a tag or a commit", async () => {
    const repo = await newRepo();
    const one = (
      await commitFiles(local.client, repo.name, {
        message: "one",
        author,
        files: { "README.md": "v1", "docs/a.md": "a", "docs/sub/b.md": "b", "src/x.ts": "x", "logo.bin": binary },
      })
    )._unsafeUnwrap();
    await git(repo.name, ["tag", "-a", "v1", "-m", "release", one.commit]);
    const two = (
      await commitFiles(local.client, repo.name, { message: "two", author, files: { "README.md": "v2" } })
    )._unsafeUnwrap();
    const text = (bytes: Uint8Array | undefined) => (bytes ? new TextDecoder().decode(bytes) : undefined);

    const all = (await readFiles(local.client, repo.name))._unsafeUnwrap();
    expect(all.commit).toBe(two.commit);
    expect([...all.files.keys()].sort()).toEqual(["README.md", "docs/a.md", "docs/sub/b.md", "logo.bin", "src/x.ts"]);
    expect(all.files.get("logo.bin")).toEqual(binary);
    expect(text(all.files.get("README.md"))).toBe("v2");

    const some = (
      await readFiles(local.client, repo.name, { paths: ["README.md", "docs/", "missing.txt"] })
    )._unsafeUnwrap();
    expect([...some.files.keys()].sort()).toEqual(["README.md", "docs/a.md", "docs/sub/b.md"]);
    expect(text(some.files.get("docs/sub/b.md"))).toBe("b");

    const tagged = (await readFiles(local.client, repo.name, { ref: "v1", paths: ["README.md"] }))._unsafeUnwrap();
    expect(tagged).toEqual({
      commit: one.commit,
      files: new Map([["README.md", new TextEncoder().encode("v1")]]),
      nonUtf8Files: [],
    });
    const byId = (await readFiles(local.client, repo.name, { ref: one.commit, paths: ["README.md"] }))._unsafeUnwrap();
    expect(text(byId.files.get("README.md"))).toBe("v1");
  });

  it("is a not-found Err for a missing branch, tag or commit", async () => {
    const repo = await newRepo();
    await commitFiles(local.client, repo.name, { message: "one", author, files: { a: "1" } });
    for (const ref of ["no-branch", "0123456789abcdef0123456789abcdef01234567"]) {
      const read = await readFiles(local.client, repo.name, { ref });
      expect(read._unsafeUnwrapErr(), ref).toMatchObject({ _tag: "GitError", reason: "not-found" });
    }
    const empty = await newRepo();
    expect((await readFiles(local.client, empty.name))._unsafeUnwrapErr()).toMatchObject({
      _tag: "GitError",
      reason: "not-found",
    });
  });
});

async function writeToken(repo: string): Promise<string> {
  return (await createToken(local.client, { repo, scope: "write", ttl: 600 }))._unsafeUnwrap().plaintext;
}
