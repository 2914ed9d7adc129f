import { join } from "node:path";
import type { Result } from "neverthrow";
import { describe, expect, it } from "vitest";
import { commitFiles, createBranch, MergeConflict, mergeRefs } from "../../src/git/index.js";
import { createRepo, createToken, forkRepo, getRepo, importRepo } from "../../src/index.js";
import { gitCli } from "../support/git.js";
import { useLocalServer } from "../support/local-server.js";

/**
 * `mergeRefs` against git: every clean merge gives the tree `git merge-tree --write-tree` gives for the same commits,
 * with the right parents; a conflicting one reports the paths git reports and leaves `into` as it was.
 */

const author = { name: "Ada Agent", email: "ada@example.com", timestamp: 1_764_000_000, timezoneOffset: 0 };
const local = useLocalServer();

const bare = (repo: string) => join(local.server.dataDir, `${local.server.state.findRepo("default", repo)?.id}.git`);
const git = async (repo: string, args: string[]) => (await gitCli(["--git-dir", bare(repo), ...args])).stdout.trim();
const head = (repo: string, branch = "main") => git(repo, ["rev-parse", `refs/heads/${branch}`]);
/** What git's own merge makes of two commits: the tree, or the conflicted paths. */
async function gitMerge(repo: string, ours: string, theirs: string) {
  const result = await gitCli(["--git-dir", bare(repo), "merge-tree", "--write-tree", "--name-only", ours, theirs]);
  const [tree = "", ...rest] = result.stdout.split("\n");
  const conflicts = result.code === 1 ? rest.slice(0, rest.indexOf("")) : [];
  return { tree, conflicts };
}

/** The Ok value; an Err fails the test with what it says. */
async function okOf<T, E extends { message: string }>(result: PromiseLike<Result<T, E>>): Promise<T> {
  const settled = await result;
  if (settled.isErr()) throw new Error(`expected Ok: ${settled.error.message}`);
  return settled.value;
}

let count = 0;
async function seeded(files: Record<string, string> = { "a.txt": "one\ntwo\nthree\n", "b.txt": "b\n" }) {
  const name = `merge-${++count}`;
  (await createRepo(local.client, { name }))._unsafeUnwrap();
  const base = (await commitFiles(local.client, name, { message: "base", author, files }))._unsafeUnwrap();
  return { name, base: base.commit };
}
const commit = async (repo: string, branch: string, files: Record<string, string | null>) =>
  (await okOf(commitFiles(local.client, repo, { message: `on ${branch}`, author, files, branch }))).commit;

describe("mergeRefs", () => {
  it("fast-forwards when into is an ancestor of from, or makes a merge commit when asked never to", async () => {
    const { name, base } = await seeded();
    await okOf(createBranch(local.client, name, { name: "agent", from: "main" }));
    const ahead = await commit(name, "agent", { "c.txt": "c\n" });
    const ff = await okOf(mergeRefs(local.client, name, { from: "agent", into: "main", author }));
    expect(ff).toEqual({
      commit: ahead,
      parents: [],
      fastForward: true,
      alreadyMerged: false,
      unchanged: false,
      changed: ["c.txt"],
    });
    expect(await head(name)).toBe(ahead);
    const again = await okOf(mergeRefs(local.client, name, { from: "agent", into: "main", author }));
    expect(again).toEqual({
      commit: ahead,
      parents: [],
      fastForward: false,
      alreadyMerged: true,
      unchanged: false,
      changed: [],
    });

    const next = await commit(name, "agent", { "d.txt": "d\n" });
    const never = await okOf(
      mergeRefs(local.client, name, { from: "agent", into: "main", author, fastForward: "never" }),
    );
    expect(never).toMatchObject({ parents: [ahead, next], fastForward: false, changed: ["d.txt"] });
    expect(await git(name, ["rev-parse", `${never.commit}^{tree}`])).toBe((await gitMerge(name, ahead, next)).tree);
    expect(await git(name, ["log", "-1", "--format=%P|%s", "main"])).toBe(`${ahead} ${next}|Merge agent into main`);
    expect(base).not.toBe(ahead);
  });

  it("merges diverged branches three ways: the tree git merge-tree makes, both parents", async () => {
    const { name } = await seeded({ "a.txt": "one\ntwo\nthree\nfour\nfive\n", "b.txt": "b\n", "gone.txt": "g\n" });
    await okOf(createBranch(local.client, name, { name: "agent", from: "main" }));
    const ours = await commit(name, "main", { "a.txt": "ONE\ntwo\nthree\nfour\nfive\n", "m.txt": "main\n" });
    const theirs = await commit(name, "agent", {
      "a.txt": "one\ntwo\nthree\nfour\nFIVE\n",
      "gone.txt": null,
      "t/x.txt": "x\n",
    });
    const merged = await okOf(mergeRefs(local.client, name, { from: "agent", into: "main", author }));
    expect(merged).toMatchObject({ parents: [ours, theirs], fastForward: false });
    expect(merged.changed.sort()).toEqual(["a.txt", "gone.txt", "t/x.txt"]);
    const expected = await gitMerge(name, ours, theirs);
    expect(expected.conflicts).toEqual([]);
    expect(await git(name, ["rev-parse", `${merged.commit}^{tree}`])).toBe(expected.tree);
    expect(await git(name, ["show", "main:a.txt"])).toBe("ONE\ntwo\nthree\nfour\nFIVE");
    expect(await git(name, ["fsck", "--strict", "--no-dangling"])).toBe("");
  });

  it("reports the paths git reports as conflicts, with each side's bytes, and pushes nothing", async () => {
    const { name } = await seeded({ "a.txt": "one\n", "b.txt": "b\n", "c.txt": "c\n" });
    await okOf(createBranch(local.client, name, { name: "agent", from: "main" }));
    const ours = await commit(name, "main", { "a.txt": "ours\n", "b.txt": null, "new.txt": "mine\n" });
    const theirs = await commit(name, "agent", {
      "a.txt": "theirs\n",
      "b.txt": "b2\n",
      "new.txt": "yours\n",
      "c.txt": "C\n",
    });
    const error = (await mergeRefs(local.client, name, { from: "agent", into: "main", author }))._unsafeUnwrapErr();
    expect(error).toBeInstanceOf(MergeConflict);
    const conflicts = (error as MergeConflict).conflicts;
    expect(conflicts.map((conflict) => conflict.path).sort()).toEqual(
      (await gitMerge(name, ours, theirs)).conflicts.sort(),
    );
    const byPath = Object.fromEntries(conflicts.map((conflict) => [conflict.path, conflict]));
    expect(byPath["a.txt"]).toMatchObject({ kind: "content" });
    expect(new TextDecoder().decode(byPath["a.txt"]?.theirs)).toBe("theirs\n");
    expect(byPath["b.txt"]).toMatchObject({ kind: "modify-delete" });
    expect(byPath["new.txt"]).toMatchObject({ kind: "add-add" });
    expect(await head(name)).toBe(ours);
    const only = (
      await mergeRefs(local.client, name, { from: "agent", into: "main", author, fastForward: "only" })
    )._unsafeUnwrapErr();
    expect(only).toMatchObject({ _tag: "GitError", reason: "conflict" });
    const stale = (
      await mergeRefs(local.client, name, { from: "agent", into: "main", author, parent: theirs })
    )._unsafeUnwrapErr();
    expect(stale).toMatchObject({ _tag: "GitError", reason: "conflict" });
  });

  it("loses no push that races it: the merge is a conflict and the other push stays", async () => {
    const { name } = await seeded();
    await okOf(createBranch(local.client, name, { name: "agent", from: "main" }));
    await commit(name, "main", { "m.txt": "m\n" });
    await commit(name, "agent", { "t.txt": "t\n" });
    // Just before the merge's push reaches the remote, someone else pushes to main.
    const realFetch = globalThis.fetch;
    let raced: string | undefined;
    globalThis.fetch = async (input, init) => {
      const request = new Request(input, init);
      if (request.url.endsWith("/git-receive-pack") && raced === undefined) {
        globalThis.fetch = realFetch;
        raced = await commit(name, "main", { "race.txt": "won\n" });
      }
      return realFetch(request);
    };
    try {
      const error = (await mergeRefs(local.client, name, { from: "agent", into: "main", author }))._unsafeUnwrapErr();
      expect(error).toMatchObject({ _tag: "GitError", reason: "conflict" });
    } finally {
      globalThis.fetch = realFetch;
    }
    expect(await head(name)).toBe(raced);
  });

  it("brings a fork's commits into its source, or one squashed commit", async () => {
    const { name: source } = await seeded();
    (await forkRepo(local.client, source, { name: `${source}-fork` }))._unsafeUnwrap();
    const fork = `${source}-fork`;
    const agent = await commit(fork, "main", { "agent.txt": "agent\n" });
    const ff = await okOf(mergeRefs(local.client, source, { from: { repo: fork }, into: "main", author }));
    expect(ff).toMatchObject({ commit: agent, fastForward: true });
    expect(await head(source)).toBe(agent);
    expect(await git(source, ["fsck", "--strict", "--no-dangling"])).toBe("");

    const ours = await commit(source, "main", { "b.txt": "B\n" });
    const theirs = await commit(fork, "main", { "a.txt": "one\ntwo\nthree\nfour\n" });
    const squashed = await okOf(
      mergeRefs(local.client, source, { from: { repo: fork }, into: "main", author, squash: true }),
    );
    expect(squashed).toMatchObject({ parents: [ours], fastForward: false });
    expect(await git(source, ["rev-parse", `${squashed.commit}^{tree}`])).toBe(
      (await gitMerge(source, ours, theirs)).tree,
    );
    expect(await git(source, ["fsck", "--strict", "--no-dangling"])).toBe("");
  });
});

describe("mergeRefs where git's rules decide", () => {
  /** A criss-cross: `x` and `y` each merged the other's first commit, so they have two merge bases. */
  async function crissCross(
    xFiles: Record<string, string>,
    yFiles: Record<string, string>,
    resolutions: { x?: Record<string, string>; y?: Record<string, string> } = {},
  ) {
    const { name } = await seeded({ "f.txt": "a\n", "g.txt": "1\n" });
    await okOf(createBranch(local.client, name, { name: "x", from: "main" }));
    await okOf(createBranch(local.client, name, { name: "y", from: "main" }));
    const x1 = await commit(name, "x", xFiles);
    const y1 = await commit(name, "y", yFiles);
    await okOf(
      mergeRefs(local.client, name, { from: y1, into: "x", author, fastForward: "never", resolutions: resolutions.x }),
    );
    await okOf(
      mergeRefs(local.client, name, { from: x1, into: "y", author, fastForward: "never", resolutions: resolutions.y }),
    );
    const bases = (await git(name, ["merge-base", "--all", "x", "y"])).split("\n").sort();
    expect(bases).toEqual([x1, y1].sort());
    return name;
  }

  it("merges a criss-cross history against the virtual base of its two merge bases, as git does", async () => {
    const name = await crissCross({ "f.txt": "b\n" }, { "g.txt": "2\n" });
    await commit(name, "x", { "h.txt": "x side\n" });
    await commit(name, "y", { "f.txt": "b\nmore\n" });
    const [x, y] = [await head(name, "x"), await head(name, "y")];
    const expected = await gitMerge(name, x, y);
    const merged = await okOf(mergeRefs(local.client, name, { from: "y", into: "x", author }));
    expect(await git(name, ["rev-parse", `${merged.commit}^{tree}`])).toBe(expected.tree);
    expect(merged.parents).toEqual([x, y]);
  });

  it("refuses a criss-cross whose merge bases conflict with each other, where git's answer needs its markers", async () => {
    // Each side kept its own f.txt when it merged the other's.
    const name = await crissCross(
      { "f.txt": "b\n" },
      { "f.txt": "c\n" },
      { x: { "f.txt": "b\n" }, y: { "f.txt": "c\n" } },
    );
    const x = await head(name, "x");
    const refused = (await mergeRefs(local.client, name, { from: "y", into: "x", author }))._unsafeUnwrapErr();
    expect(refused).toMatchObject({ _tag: "GitError", reason: "conflict" });
    expect(refused.message).toMatch(/criss-cross history\) conflict with each other on f\.txt/);
    expect(await head(name, "x")).toBe(x);
  });

  it("refuses unrelated histories as git does, and merges them when allowed, to git's tree", async () => {
    const { name } = await seeded({ "a.txt": "a\n" });
    const other = (
      await commitFiles(local.client, name, {
        message: "root",
        author,
        files: { "o.txt": "o\n" },
        branch: "orphan",
        parent: null,
      })
    )._unsafeUnwrap();
    const ours = await head(name);
    const refused = (await mergeRefs(local.client, name, { from: "orphan", into: "main", author }))._unsafeUnwrapErr();
    expect(refused.message).toMatch(/^refusing to merge unrelated histories/);
    const gitRefusal = await gitCli(["--git-dir", bare(name), "merge-tree", "--write-tree", ours, other.commit]);
    expect([gitRefusal.code, gitRefusal.stderr]).toEqual([128, "fatal: refusing to merge unrelated histories\n"]);
    const merged = await okOf(
      mergeRefs(local.client, name, { from: "orphan", into: "main", author, allowUnrelatedHistories: true }),
    );
    const allowed = await gitCli([
      "--git-dir",
      bare(name),
      "merge-tree",
      "--write-tree",
      "--allow-unrelated-histories",
      ours,
      other.commit,
    ]);
    expect(await git(name, ["rev-parse", `${merged.commit}^{tree}`])).toBe(allowed.stdout.trim());
  });

  it("finishes a conflict with resolutions in a merge commit of both parents: the next merge is alreadyMerged", async () => {
    const { name } = await seeded();
    await okOf(createBranch(local.client, name, { name: "agent", from: "main" }));
    const ours = await commit(name, "main", { "a.txt": "one\nOURS\nthree\n" });
    const theirs = await commit(name, "agent", { "a.txt": "one\nTHEIRS\nthree\n", "t.txt": "t\n" });
    expect((await gitMerge(name, ours, theirs)).conflicts).toEqual(["a.txt"]);
    const conflict = (await mergeRefs(local.client, name, { from: "agent", into: "main", author }))._unsafeUnwrapErr();
    expect(conflict).toBeInstanceOf(MergeConflict);
    const resolved = await okOf(
      mergeRefs(local.client, name, {
        from: "agent",
        into: "main",
        author,
        resolutions: { "a.txt": "one\nBOTH\nthree\n" },
      }),
    );
    expect(resolved).toMatchObject({ parents: [ours, theirs], alreadyMerged: false, changed: ["a.txt", "t.txt"] });
    expect(await git(name, ["show", "main:a.txt"])).toBe("one\nBOTH\nthree");
    expect(await git(name, ["show", "main:t.txt"])).toBe("t");
    expect((await gitCli(["--git-dir", bare(name), "merge-base", "--is-ancestor", theirs, "main"])).code).toBe(0);
    const again = await okOf(mergeRefs(local.client, name, { from: "agent", into: "main", author }));
    expect(again).toMatchObject({ commit: resolved.commit, alreadyMerged: true, parents: [] });
  });

  it("squashes once: the same squash again is unchanged, and pushes nothing", async () => {
    const { name } = await seeded();
    await okOf(createBranch(local.client, name, { name: "agent", from: "main" }));
    await commit(name, "main", { "b.txt": "B\n" });
    await commit(name, "agent", { "c.txt": "c\n" });
    const first = await okOf(mergeRefs(local.client, name, { from: "agent", into: "main", author, squash: true }));
    expect(first).toMatchObject({ unchanged: false, changed: ["c.txt"] });
    const second = await okOf(mergeRefs(local.client, name, { from: "agent", into: "main", author, squash: true }));
    expect(second).toMatchObject({ commit: first.commit, unchanged: true, parents: [], changed: [] });
    expect(await head(name)).toBe(first.commit);
  });

  it("says a branch another call made first is a conflict", async () => {
    const { name, base } = await seeded();
    const realFetch = globalThis.fetch;
    // The other call's branch appears between this call's look and its push.
    let raced = false;
    globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input instanceof Request ? input.url : input);
      if (!raced && url.endsWith("/git-receive-pack") && (init?.method ?? (input as Request).method) === "POST") {
        raced = true;
        await okOf(
          commitFiles(local.client, name, {
            message: "first",
            author,
            files: { r: "r" },
            branch: "race",
            from: "main",
          }),
        );
      }
      return realFetch(input, init);
    }) as typeof fetch;
    try {
      const lost = (await createBranch(local.client, name, { name: "race", from: base }))._unsafeUnwrapErr();
      expect(lost).toMatchObject({ _tag: "GitError", reason: "conflict" });
      expect(lost.message).toMatch(/^branch race was created meanwhile/);
    } finally {
      globalThis.fetch = realFetch;
    }
  });
});

describe("a shallow repo (imported with depth)", () => {
  it("takes commits, merges and branches", async () => {
    const { name } = await seeded();
    await commit(name, "main", { "b.txt": "B\n" });
    await commit(name, "main", { "c.txt": "c\n" });
    const token = (await createToken(local.client, { repo: name, scope: "read" }))._unsafeUnwrap();
    const url = new URL((await getRepo(local.client, name))._unsafeUnwrap().remote);
    url.username = "x";
    url.password = token.plaintext.split("?")[0] ?? "";
    const shallow = `${name}-shallow`;
    (await importRepo(local.client, shallow, { url: url.href, depth: 1 }))._unsafeUnwrap();
    expect(await git(shallow, ["rev-parse", "--is-shallow-repository"])).toBe("true");

    const made = await commit(shallow, "main", { "d.txt": "d\n" });
    await okOf(createBranch(local.client, shallow, { name: "agent", from: "main" }));
    const theirs = await commit(shallow, "agent", { "e.txt": "e\n" });
    const ours = await commit(shallow, "main", { "f.txt": "f\n" });
    const merged = await okOf(mergeRefs(local.client, shallow, { from: "agent", into: "main", author }));
    expect(merged.parents).toEqual([ours, theirs]);
    expect(await git(shallow, ["rev-parse", `${merged.commit}^{tree}`])).toBe(
      (await gitMerge(shallow, ours, theirs)).tree,
    );
    expect(await git(shallow, ["rev-parse", `${merged.commit}~2`])).toBe(made);
  });
});

describe("mergeRefs never gives a clean tree git would not give, where git detects renames", () => {
  /** Merges `agent` into `main` here and with git: an Ok must be git's tree; otherwise the kinds reported. */
  async function judged(
    base: Record<string, string>,
    ours: Record<string, string | null>,
    theirs: Record<string, string | null>,
  ) {
    const { name } = await seeded(base);
    await okOf(createBranch(local.client, name, { name: "agent", from: "main" }));
    const [o, t] = [await commit(name, "main", ours), await commit(name, "agent", theirs)];
    const expected = await gitMerge(name, o, t);
    const merged = await mergeRefs(local.client, name, { from: "agent", into: "main", author });
    if (merged.isOk()) expect(await git(name, ["rev-parse", `${merged.value.commit}^{tree}`])).toBe(expected.tree);
    return { name, git: expected, here: merged.isErr() ? merged.error : undefined, head: await head(name), ours: o };
  }
  const body = "line one\nline two\nline three\nline four\n";

  it("rename/rename: both renamed one file apart, a conflict in git, one here", async () => {
    const judgedMerge = await judged(
      { "f.txt": body },
      { "f.txt": null, "g.txt": body },
      { "f.txt": null, "h.txt": body },
    );
    expect(judgedMerge.git.conflicts.length).toBeGreaterThan(0);
    expect(judgedMerge.here).toMatchObject({ _tag: "MergeConflict", conflicts: [{ path: "f.txt", kind: "rename" }] });
    expect(judgedMerge.head).toBe(judgedMerge.ours);
  });

  it("a file both sides made a folder, each adding its own file: clean, as git merges it", async () => {
    const judgedMerge = await judged(
      { x: body, "k.txt": "k\n" },
      { x: null, "x/a.txt": "something else\n" },
      { x: null, "x/b.txt": "another thing\n" },
    );
    expect([judgedMerge.git.conflicts, judgedMerge.here]).toEqual([[], undefined]);
  });

  it("a path both deleted while one side adds a file half like it (git's inexact rename): a conflict", async () => {
    const judgedMerge = await judged(
      { "f.txt": body },
      { "f.txt": null, "g.txt": body.replace("line four", "line 4") },
      { "f.txt": null, "k.txt": "unrelated\n" },
    );
    expect(judgedMerge.git.conflicts.length).toBeGreaterThan(0);
    expect(judgedMerge.here).toMatchObject({ _tag: "MergeConflict", conflicts: [{ path: "f.txt", kind: "rename" }] });
  });

  it("a renamed folder and a file added to it: git moves it along and asks (a file-location conflict); so do we", async () => {
    const judgedMerge = await judged(
      { "dir/a.txt": "a\n", "dir/b.txt": "b\n" },
      { "dir/a.txt": null, "dir/b.txt": null, "new/a.txt": "a\n", "new/b.txt": "b\n" },
      { "dir/c.txt": "c\n" },
    );
    expect(judgedMerge.git.conflicts).toEqual(["new/c.txt"]);
    expect(judgedMerge.here).toMatchObject({
      _tag: "MergeConflict",
      conflicts: [{ path: "dir/c.txt", kind: "rename" }],
    });
  });

  it("a folder deleted on one side and added to on the other merges as git merges it: the new file stays", async () => {
    const judgedMerge = await judged(
      { "dir/a.txt": "a\n", "dir/b.txt": "b\n", "k.txt": "k\n" },
      { "dir/a.txt": null, "dir/b.txt": null },
      { "dir/c.txt": "c\n" },
    );
    expect([judgedMerge.git.conflicts, judgedMerge.here]).toEqual([[], undefined]);
  });

  it("a folder emptied while that side adds unlike files elsewhere is no folder rename: clean, as git merges it", async () => {
    const judgedMerge = await judged(
      { "fixes/fix-1.txt": "f1", "fixes/fix-2.txt": "f2", "k.txt": "k\n" },
      { "fixes/fix-1.txt": null, "fixes/fix-2.txt": null, "patched/a.txt": "a\n", "patched/b.txt": "b\n" },
      { "fixes/fix-3.txt": "f3" },
    );
    expect([judgedMerge.git.conflicts, judgedMerge.here]).toEqual([[], undefined]);
  });

  it("an exact rename on one side and an edit on the other: the edit carried to the new path, as git does", async () => {
    const judgedMerge = await judged({ "f.txt": body }, { "f.txt": null, "g.txt": body }, { "f.txt": `${body}five\n` });
    expect([judgedMerge.git.conflicts, judgedMerge.here]).toEqual([[], undefined]);
    expect(await git(judgedMerge.name, ["show", "main:g.txt"])).toBe(`${body}five`);
  });

  it("carries it whichever side renamed, into a new folder", async () => {
    const judgedMerge = await judged(
      { "f.txt": body, "k.txt": "k\n" },
      { "f.txt": `line zero\n${body}`, "k.txt": "K\n" },
      { "f.txt": null, "deep/er/f.txt": body },
    );
    expect([judgedMerge.git.conflicts, judgedMerge.here]).toEqual([[], undefined]);
    expect(await git(judgedMerge.name, ["ls-tree", "-r", "--name-only", "main"])).toBe("deep/er/f.txt\nk.txt");
  });

  it("an exact rename with two candidates (git picks one by name): a conflict, never a guess", async () => {
    const judgedMerge = await judged(
      { "f.txt": body },
      { "f.txt": null, "a/f.txt": body, "b/g.txt": body },
      { "f.txt": `${body}five\n` },
    );
    expect(judgedMerge.here).toMatchObject({
      _tag: "MergeConflict",
      conflicts: [{ path: "f.txt", kind: "modify-delete" }],
    });
    expect(judgedMerge.head).toBe(judgedMerge.ours);
  });

  it("a rename onto a path the other side added too: a conflict at that path alone, as in git (rename/add)", async () => {
    const judgedMerge = await judged(
      { "f.txt": body },
      { "f.txt": null, "g.txt": body },
      { "f.txt": `${body}five\n`, "g.txt": "other\n" },
    );
    expect(judgedMerge.git.conflicts).toEqual(["g.txt"]);
    expect(judgedMerge.here).toMatchObject({ _tag: "MergeConflict", conflicts: [{ path: "g.txt", kind: "add-add" }] });
    expect((judgedMerge.here as MergeConflict).conflicts).toHaveLength(1);
    expect(judgedMerge.head).toBe(judgedMerge.ours);
  });
});
