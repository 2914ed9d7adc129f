import { describe, expect, it } from "vitest";
import { type DiffRefsInput, diffRefs, disposeGit } from "../../src/git/index.js";
import { MemoryRemote, memoryClient, type RemoteOptions, withEachRequestFailing } from "../support/memory-remote.js";

/**
 * `diffRefs` on a Git remote held in memory: each kind of change, with the modes and ids of `git diff-tree -r`,
 * only the trees that differ read, paths, contents (patches, binaries, submodules), names that are not UTF-8.
 */

const URL = "https://acc.artifacts.cloudflare.net/git/default/notes.git";
const BEFORE = { "a.txt": "one\ntwo\nthree\n", "docs/b.txt": "beta\n", "keep/k.txt": "k\n", "z.txt": "z\n" };
type Files = Parameters<MemoryRemote["files"]>[0];

function repo(after: Files, options: RemoteOptions = {}) {
  const remote = new MemoryRemote(options).serve(URL);
  const from = remote.branch("main", remote.commit(BEFORE));
  const to = remote.branch("next", remote.commit(after, [from], "next", 1));
  return { remote, from, to, target: { remote: URL, token: remote.options.token } };
}
const diff = (target: { remote: string; token: string }, input: Partial<DiffRefsInput> = {}) =>
  diffRefs(target, { from: "main", to: "next", ...input } as DiffRefsInput);
const blobOf = (remote: MemoryRemote, commit: string, path: string) => {
  let tree = remote.commitOf(commit).tree;
  const parts = path.split("/");
  for (const part of parts.slice(0, -1))
    tree = remote.entries(tree).find((entry) => entry.name === part)?.oid as string;
  return remote.entries(tree).find((entry) => entry.name === parts.at(-1))?.oid as string;
};

describe("diffRefs: the changes", () => {
  it("lists additions, modifications, deletions and type changes with modes and ids, in path order", async () => {
    const { remote, from, to, target } = repo({
      "a.txt": { mode: "120000", content: "z.txt" },
      "docs/b.txt": "BETA\n",
      "docs/new.txt": "new\n",
      "keep/k.txt": "k\n",
    });
    const found = (await diff(target))._unsafeUnwrap();
    const id = (commit: string, path: string) => blobOf(remote, commit, path);
    expect(found).toEqual({
      from,
      to,
      changes: [
        {
          path: "a.txt",
          status: "type-changed",
          before: { mode: "100644", id: id(from, "a.txt") },
          after: { mode: "120000", id: id(to, "a.txt") },
        },
        {
          path: "docs/b.txt",
          status: "modified",
          before: { mode: "100644", id: id(from, "docs/b.txt") },
          after: { mode: "100644", id: id(to, "docs/b.txt") },
        },
        { path: "docs/new.txt", status: "added", after: { mode: "100644", id: id(to, "docs/new.txt") } },
        { path: "z.txt", status: "deleted", before: { mode: "100644", id: id(from, "z.txt") } },
      ],
    });
  });

  it("orders the changes by path bytes, a deep path before a later shallow one", async () => {
    const { target } = repo({ ...BEFORE, "docs/b.txt": "B\n", "keep/k.txt": "K\n", "a.txt": "A\n", "z.txt": "Z\n" });
    expect((await diff(target))._unsafeUnwrap().changes.map(({ path }) => path)).toEqual([
      "a.txt",
      "docs/b.txt",
      "keep/k.txt",
      "z.txt",
    ]);
  });

  it("reads only the trees that differ: a folder the same on both sides is never fetched", async () => {
    const { remote, from, target } = repo({ ...BEFORE, "a.txt": "A\n" });
    (await diff(target))._unsafeUnwrap();
    const keep = blobOf(remote, from, "keep");
    const sent = remote.served.flatMap((served) => served.sent);
    expect(sent).not.toContain(keep);
    expect(sent).not.toContain(blobOf(remote, from, "docs"));
  });

  it("is a mode change as modified, and nothing for two commits of the same tree", async () => {
    const { target } = repo({ ...BEFORE, "z.txt": { mode: "100755", content: "z\n" } });
    expect((await diff(target))._unsafeUnwrap().changes).toMatchObject([
      { path: "z.txt", status: "modified", before: { mode: "100644" }, after: { mode: "100755" } },
    ]);
    const same = repo(BEFORE);
    expect((await diff(same.target))._unsafeUnwrap().changes).toEqual([]);
  });

  it("is a folder that became a file: the file added, each file of the folder deleted", async () => {
    const { target } = repo({ "a.txt": BEFORE["a.txt"], docs: "now a file\n", "keep/k.txt": "k\n", "z.txt": "z\n" });
    expect((await diff(target))._unsafeUnwrap().changes.map(({ path, status }) => `${status} ${path}`)).toEqual([
      "added docs",
      "deleted docs/b.txt",
    ]);
  });

  it("keeps only the paths asked for: exact files and folders ending in /", async () => {
    const { remote, from, target } = repo({ "a.txt": "A\n", "docs/b.txt": "B\n", "keep/k.txt": "K\n" });
    const found = (await diff(target, { paths: ["docs/", "z.txt"] }))._unsafeUnwrap();
    expect(found.changes.map(({ path }) => path)).toEqual(["docs/b.txt", "z.txt"]);
    // A folder outside the paths is not entered.
    expect(remote.served.flatMap((served) => served.sent)).not.toContain(blobOf(remote, from, "keep"));
  });

  it("renders a path that is not UTF-8 lossily, with its bytes in pathBytes", async () => {
    const remote = new MemoryRemote().serve(URL);
    const name = Buffer.from([0x6e, 0xe9]);
    const from = remote.branch("main", remote.commit({ "a.txt": "a" }));
    const tree = remote.tree([{ mode: "100644", name, oid: remote.blob("x") }]);
    remote.branch("next", remote.commit(tree, [from], "next", 1));
    const found = (await diff({ remote: URL, token: remote.options.token }))._unsafeUnwrap();
    expect(found.changes[1]).toMatchObject({ path: "n\ufffd", status: "added", pathBytes: new Uint8Array(name) });
    expect(found.changes[0]).toMatchObject({ path: "a.txt", status: "deleted" });
    expect(found.changes[0]).not.toHaveProperty("pathBytes");
  });

  it("compares commit ids, tags and HEAD", async () => {
    const { remote, from, to, target } = repo({ ...BEFORE, "a.txt": "A\n" });
    remote.branch("refs/tags/v1", remote.tag("v1", to));
    const byIds = (await diff(target, { from, to: "v1" }))._unsafeUnwrap();
    expect([byIds.from, byIds.to]).toEqual([from, to]);
    const fromHead = (await diff(target, { from: "HEAD" }))._unsafeUnwrap();
    expect(fromHead.from).toBe(from);
  });

  it("works on a remote without filter (each commit fetched whole)", async () => {
    const { target } = repo({ ...BEFORE, "a.txt": "A\n" }, { filter: false });
    expect((await diff(target))._unsafeUnwrap().changes.map(({ path }) => path)).toEqual(["a.txt"]);
  });

  it("answers a ref that does not exist with not-found", async () => {
    const { target } = repo(BEFORE);
    expect((await diff(target, { to: "nope" }))._unsafeUnwrapErr()).toMatchObject({
      reason: "not-found",
      message: "no branch or tag named nope",
    });
  });
});

describe("diffRefs with contents", () => {
  it("adds a unified diff to each text change, from /dev/null for an addition and to it for a deletion", async () => {
    const { target } = repo({ ...BEFORE, "a.txt": "ONE\ntwo\nthree\n", "n.txt": "n\n", "z.txt": null });
    const found = (await diff(target, { contents: true }))._unsafeUnwrap();
    expect(Object.fromEntries(found.changes.map(({ path, patch }) => [path, patch]))).toEqual({
      "a.txt": "--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n-one\n+ONE\n two\n three\n",
      "n.txt": "--- /dev/null\n+++ b/n.txt\n@@ -0,0 +1 @@\n+n\n",
      "z.txt": "--- a/z.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-z\n",
    });
  });

  it("shows a change of the BOM alone in the patch", async () => {
    const { target } = repo({ ...BEFORE, "a.txt": "\ufeffone\ntwo\nthree\n" });
    const [change] = (await diff(target, { contents: true }))._unsafeUnwrap().changes;
    expect(change?.patch).toBe("--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n-one\n+\ufeffone\n two\n three\n");
  });

  it("marks a change of bytes that are not text binary, without a patch", async () => {
    const { target } = repo({ ...BEFORE, "a.txt": "\u0000binary" });
    const [change] = (await diff(target, { contents: true }))._unsafeUnwrap().changes;
    expect(change).toMatchObject({ path: "a.txt", binary: true });
    expect(change).not.toHaveProperty("patch");
  });

  it("reads no blob for a submodule: as git, its patch is the line Subproject commit <id>", async () => {
    const remote = new MemoryRemote().serve(URL);
    const from = remote.branch("main", remote.commit({ "a.txt": "a\n" }));
    const module = "5".repeat(40);
    remote.branch("next", remote.commit({ "a.txt": "b\n", lib: { mode: "160000", oid: module } }, [from], "n", 1));
    const found = (await diff({ remote: URL, token: remote.options.token }, { contents: true }))._unsafeUnwrap();
    expect(found.changes).toEqual([
      expect.objectContaining({ path: "a.txt", patch: "--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-a\n+b\n" }),
      {
        path: "lib",
        status: "added",
        after: { mode: "160000", id: module },
        patch: `--- /dev/null\n+++ b/lib\n@@ -0,0 +1 @@\n+Subproject commit ${module}\n`,
      },
    ]);
    expect(remote.served.flatMap((served) => served.sent)).not.toContain(module);
  });

  it("patches a file that became a symlink as git does: the file deleted, then the link added", async () => {
    const { target } = repo({ ...BEFORE, "a.txt": { mode: "120000", content: "z.txt" } });
    const [change] = (await diff(target, { contents: true }))._unsafeUnwrap().changes;
    expect(change?.patch).toBe(
      "--- a/a.txt\n+++ /dev/null\n@@ -1,3 +0,0 @@\n-one\n-two\n-three\n" +
        "--- /dev/null\n+++ b/a.txt\n@@ -0,0 +1 @@\n+z.txt\n\\ No newline at end of file\n",
    );
  });

  it("keeps a patch of text that is not UTF-8 in patchBytes, byte for byte", async () => {
    const remote = new MemoryRemote().serve(URL);
    const from = remote.branch("main", remote.commit(BEFORE));
    const latin1 = remote.blob(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    remote.branch("next", remote.commit({ ...BEFORE, "a.txt": { mode: "100644", oid: latin1 } }, [from], "n", 1));
    const target = { remote: URL, token: remote.options.token };
    const [change] = (await diff(target, { contents: true }))._unsafeUnwrap().changes;
    const expected = "--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1 @@\n-one\n-two\n-three\n+caf\xe9\n";
    expect(change?.patchBytes).toEqual(Uint8Array.from(expected, (char) => char.charCodeAt(0)));
    expect(change?.patch).toBe(expected.replace("\xe9", "\ufffd"));
  });

  it("gives an empty patch where git prints no hunk: an empty file added", async () => {
    const { target } = repo({ ...BEFORE, "e.txt": "" });
    const [change] = (await diff(target, { contents: true }))._unsafeUnwrap().changes;
    expect(change).toMatchObject({ path: "e.txt", status: "added", patch: "" });
  });

  it("without contents, reads no file at all", async () => {
    const { remote, target } = repo({ ...BEFORE, "a.txt": "A\n" });
    (await diff(target))._unsafeUnwrap();
    const blobs = [...remote.objects].filter(([, object]) => object.type === "blob").map(([oid]) => oid);
    expect(remote.served.flatMap((served) => served.sent).filter((oid) => blobs.includes(oid))).toEqual([]);
  });
});

describe("diffRefs: a ref that names no commit", () => {
  it("says a tree's id is a tree, not a commit", async () => {
    const { remote, to, target } = repo({ ...BEFORE, "n.txt": "n\n" });
    const tree = remote.commitOf(to).tree;
    expect((await diff(target, { to: tree }))._unsafeUnwrapErr()).toEqual(
      expect.objectContaining({ _tag: "GitError", reason: "not-found", message: `${tree} is a tree, not a commit` }),
    );
  });
});

describe("diffRefs: its input", () => {
  const target = { remote: URL, token: new MemoryRemote().options.token };
  it.each([
    ["the diff must be an object", "input", null],
    ["the diff must be an object", "input", "main"],
    ["to must be a branch, a tag, a commit id, or { repo, ref }", "to", { to: null }],
    ["to must be a branch, a tag, a commit id, or { repo, ref }", "to", { to: { repo: 5 } }],
    ['paths: "" is not a file or folder path', "paths", { paths: ["a.txt", ""] }],
    ["paths: 5 is not a file or folder path", "paths", { paths: [5] }],
    // As readFiles, grepFiles and listCommits take them.
    ['paths: "../a.txt" is not a file or folder path', "paths", { paths: ["../a.txt"] }],
    ["from must be a branch, a tag, a commit id, or { repo, ref }", "from", { from: "a..b" }],
    ["to must be a branch, a tag, a commit id, or { repo, ref }", "to", { to: { repo: "" } }],
    ["to must be a branch, a tag, a commit id, or { repo, ref }", "to", { to: 7 }],
    ["from: another repo can be named with a client only", "from", { from: { repo: "fork" } }],
    ["paths must be an array of paths", "paths", { paths: "docs/" }],
    ['paths: "" is not a file or folder path', "paths", { paths: [""] }],
    ["contents must be a boolean", "contents", { contents: 1 }],
  ])("refuses, before any request: %s", async (message, field, input) => {
    const remote = new MemoryRemote().serve(URL);
    const given = input === null || typeof input === "string" ? input : { from: "main", to: "next", ...input };
    const refused = await diffRefs(target, given as unknown as DiffRefsInput);
    expect(refused._unsafeUnwrapErr()).toMatchObject({ _tag: "InvalidInputError", message, field });
    expect(remote.requests).toEqual([]);
  });
});

describe("diffRefs between a fork and its source, with a client", () => {
  const FORK_URL = "https://acc.artifacts.cloudflare.net/git/default/agent-a.git";

  function forked() {
    const baseline = new MemoryRemote().serve(URL);
    const root = baseline.branch("main", baseline.commit(BEFORE));
    const fork = baseline.fork(FORK_URL, { token: `art_v1_${"ef".repeat(20)}?expires=1893456000` });
    const ahead = fork.branch("main", fork.commit({ ...BEFORE, "a.txt": "A\n" }, [root], "fork", 1));
    const { client, calls } = memoryClient({
      baseline: { remote: baseline, url: URL },
      "agent-a": { remote: fork, url: FORK_URL },
    });
    return { root, ahead, client, calls };
  }

  it("compares the source's default branch with the fork's, each read on its own token", async () => {
    const { root, ahead, client, calls } = forked();
    const found = (
      await diffRefs(client, "agent-a", { from: { repo: "baseline" }, to: "main", contents: true })
    )._unsafeUnwrap();
    expect([found.from, found.to]).toEqual([root, ahead]);
    expect(found.changes.map(({ path, patch }) => [path, patch])).toEqual([
      ["a.txt", "--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1 @@\n-one\n-two\n-three\n+A\n"],
    ]);
    // Each repo's token is kept for the client's next calls, and revoked as it is disposed.
    expect(calls.filter((call) => call.startsWith("DELETE"))).toEqual([]);
    await disposeGit(client);
    expect(calls.filter((call) => call.startsWith("DELETE")).sort()).toEqual([
      "DELETE tokens/token-of-agent-a",
      "DELETE tokens/token-of-baseline",
    ]);
  });

  it("answers a side in a repo that does not exist with the API's not-found, and keeps what it reached", async () => {
    const { client, calls } = forked();
    const found = await diffRefs(client, "agent-a", { from: { repo: "nope" }, to: "main" });
    expect(found._unsafeUnwrapErr()).toMatchObject({ _tag: "HttpError", status: 404 });
    await disposeGit(client);
    expect(calls).toContain("DELETE tokens/token-of-agent-a");
  });

  it("reads a side named as the target repo itself on the target's own token", async () => {
    const { root, ahead, client, calls } = forked();
    const found = (await diffRefs(client, "agent-a", { from: "main", to: { repo: "agent-a" } }))._unsafeUnwrap();
    expect([found.from, found.to]).toEqual([ahead, ahead]);
    expect(calls.filter((call) => call.startsWith("POST tokens"))).toEqual(["POST tokens"]);
    expect(root).not.toBe(ahead);
  });

  it("refuses a fork's ref that is not a ref, before any request", async () => {
    const { client, calls } = forked();
    const found = await diffRefs(client, "agent-a", { from: { repo: "baseline", ref: "a..b" }, to: "main" });
    expect(found._unsafeUnwrapErr()).toMatchObject({
      _tag: "InvalidInputError",
      field: "from",
      message: "from.ref must be a branch, a tag, a commit id or HEAD",
    });
    expect(calls).toEqual([]);
  });
});

describe("diffRefs: a request that gets no answer", () => {
  it.each([
    ["with contents", {}],
    ["without filter", { filter: false }],
  ])("ends the call with that failure, whichever request it was (%s)", async (_, options) => {
    const outcomes = await withEachRequestFailing(() => {
      const { remote, target } = repo({ ...BEFORE, "docs/b.txt": "B\n", "n.txt": "n" }, options);
      return { remote, call: () => diff(target, { contents: true }) };
    });
    expect(outcomes.length).toBeGreaterThan(2);
    for (const outcome of outcomes) expect(outcome).toMatch(/^\d+ (GET|POST) \S+: TransportError network$/);
  });
});
