import { describe, expect, it } from "vitest";
import { readFiles } from "../../src/git/index.js";
import { heard, MemoryRemote, type RemoteOptions, texts, withEachRequestFailing } from "../support/memory-remote.js";

/**
 * `readFiles` on a Git remote held in memory: what a read selects (paths, folders, the whole commit), which refs
 * it reads, the files that are not files (submodules), names that are not UTF-8, and what it fetches for each.
 */

const URL = "https://acc.artifacts.cloudflare.net/git/default/notes.git";
const FILES = {
  "a.txt": "alpha\n",
  "docs/b.txt": "beta\n",
  "docs/deep/c.txt": "gamma\n",
  "run.sh": { mode: "100755", content: "#!/bin/sh\n" },
  link: { mode: "120000", content: "a.txt" },
  lib: { mode: "160000", oid: "5".repeat(40) },
};

function repo(options: RemoteOptions = {}) {
  const remote = new MemoryRemote(options).serve(URL);
  const head = remote.branch("main", remote.commit(FILES));
  return { remote, head, target: { remote: URL, token: remote.options.token } };
}
const fetched = (remote: MemoryRemote) =>
  remote.fetches().map((served) => served.args.filter((arg) => /^(want|deepen|filter)/.test(arg)));

describe("readFiles: what it reads", () => {
  it("reads the whole head in one fetch: files, executables and symlinks, not submodules", async () => {
    const { remote, head, target } = repo();
    const read = (await readFiles(target))._unsafeUnwrap();
    expect(read.commit).toBe(head);
    expect(texts(read.files)).toEqual({
      "a.txt": "alpha\n",
      "docs/b.txt": "beta\n",
      "docs/deep/c.txt": "gamma\n",
      link: "a.txt",
      "run.sh": "#!/bin/sh\n",
    });
    expect(read.nonUtf8Files).toEqual([]);
    expect(fetched(remote)).toEqual([["deepen 1", `want ${head}`]]);
  });

  it("with paths, reads the commit, the trees on those paths, then their files in one fetch", async () => {
    const { remote, head, target } = repo();
    const read = (await readFiles(target, { paths: ["docs/deep/", "a.txt", "missing.txt"] }))._unsafeUnwrap();
    expect(texts(read.files)).toEqual({ "a.txt": "alpha\n", "docs/deep/c.txt": "gamma\n" });
    const wants = fetched(remote);
    expect(wants[0]).toEqual(["deepen 1", "filter tree:1", `want ${head}`]);
    expect(wants.slice(1, 3).map((args) => args[0])).toEqual(["filter tree:0", "filter tree:0"]);
    expect(wants[3]).toHaveLength(2);
    expect(wants).toHaveLength(4);
  });

  it("reads a folder's files below it, and nothing outside", async () => {
    const { target } = repo();
    expect(texts((await readFiles(target, { paths: ["docs/"] }))._unsafeUnwrap().files)).toEqual({
      "docs/b.txt": "beta\n",
      "docs/deep/c.txt": "gamma\n",
    });
  });

  it("gives files whose names are not UTF-8 apart, with their bytes", async () => {
    const remote = new MemoryRemote().serve(URL);
    const name = Buffer.from([0x6e, 0xe9, 0x2e, 0x74]);
    const tree = remote.tree([
      { mode: "100644", name, oid: remote.blob("latin1\n") },
      { mode: "100644", name: "ok.txt", oid: remote.blob("ok\n") },
    ]);
    remote.branch("main", remote.commit(tree));
    const read = (await readFiles({ remote: URL, token: remote.options.token }))._unsafeUnwrap();
    expect(texts(read.files)).toEqual({ "ok.txt": "ok\n" });
    // `path` and `pathBytes`, as every result names a stored path.
    expect(read.nonUtf8Files).toEqual([
      { path: "n\ufffd.t", pathBytes: new Uint8Array(name), content: new TextEncoder().encode("latin1\n") },
    ]);
  });
});

describe("readFiles: the ref", () => {
  it("reads a branch, a tag (an annotated one peeled) or a commit id", async () => {
    const { remote, head, target } = repo();
    const next = remote.branch("next", remote.commit({ "n.txt": "n" }, [head], "next", 1));
    remote.branch("refs/tags/v1", remote.tag("v1", next));
    expect((await readFiles(target, { ref: "next" }))._unsafeUnwrap().commit).toBe(next);
    expect((await readFiles(target, { ref: "v1" }))._unsafeUnwrap().commit).toBe(next);
    const byId = (await readFiles(target, { ref: head, paths: ["a.txt"] }))._unsafeUnwrap();
    expect([byId.commit, texts(byId.files)]).toEqual([head, { "a.txt": "alpha\n" }]);
  });

  it("prefers a branch to a tag of the same name", async () => {
    const { remote, head, target } = repo();
    remote.branch("refs/tags/main", remote.commit({ t: "t" }, [], "tag", 3));
    expect((await readFiles(target, { ref: "main" }))._unsafeUnwrap().commit).toBe(head);
  });

  it("answers a ref that does not exist, and an empty repo, with not-found", async () => {
    const { target } = repo();
    expect((await readFiles(target, { ref: "nope" }))._unsafeUnwrapErr()).toMatchObject({
      _tag: "GitError",
      reason: "not-found",
      message: "no branch or tag named nope",
    });
    const empty = new MemoryRemote().serve(URL);
    expect((await readFiles({ remote: URL, token: empty.options.token }))._unsafeUnwrapErr()).toMatchObject({
      reason: "not-found",
      message: "the default branch has no commits yet",
    });
  });

  it("answers an unknown commit id with not-found, from the remote's own words", async () => {
    const { target } = repo();
    const unknown = "1".repeat(40);
    expect((await readFiles(target, { ref: unknown }))._unsafeUnwrapErr()).toMatchObject({
      reason: "not-found",
      message: `git-upload-pack: upload-pack: not our ref ${unknown}`,
    });
  });
});

describe("readFiles: a ref that names no commit", () => {
  it("says a tree's id is a tree, not a commit", async () => {
    const { remote, head, target } = repo();
    const tree = remote.commitOf(head).tree;
    expect((await readFiles(target, { ref: tree }))._unsafeUnwrapErr()).toEqual(
      expect.objectContaining({ _tag: "GitError", reason: "not-found", message: `${tree} is a tree, not a commit` }),
    );
  });
});

describe("readFiles: its input", () => {
  it.each([
    [{ ref: "a..b" }, "ref"],
    [{ paths: "a.txt" }, "paths"],
    [{ paths: ["/abs"] }, "paths"],
  ])("refuses %j before any request", async (input, field) => {
    const { remote, target } = repo();
    const refused = await readFiles(target, input as never);
    expect(refused._unsafeUnwrapErr()).toMatchObject({ _tag: "InvalidInputError", field });
    expect(remote.requests).toEqual([]);
  });
});

describe("readFiles: a request that gets no answer", () => {
  it.each([
    ["a whole read", {}, undefined],
    ["a read of paths", {}, ["docs/deep/c.txt", "a.txt"]],
    ["a read of paths without filter", { filter: false }, ["docs/b.txt"]],
  ])("ends %s with that failure, whichever request it was", async (_, options, paths) => {
    const outcomes = await withEachRequestFailing(() => {
      const { remote, target } = repo(options);
      return { remote, call: () => readFiles(target, paths ? { paths } : {}) };
    });
    expect(outcomes.length).toBeGreaterThan(2);
    for (const outcome of outcomes) expect(outcome).toMatch(/^\d+ (GET|POST) \S+: TransportError network$/);
  });
});

describe("readFiles: a folder that is also inside another at the same depth", () => {
  it("asks again for a tree git left out of a fetch (an earlier want held it), not for the whole commit", async () => {
    // `a/` holds `cache/`, and `cache/` is also at the root: the same tree. Git's walk of `want a, want cache`
    // with tree:0 meets `cache` inside `a` first and leaves it out.
    const remote = new MemoryRemote().serve(URL);
    const head = remote.branch("main", remote.commit({ "a/cache/k": "k\n", "cache/k": "k\n", "z.txt": "z" }));
    const { lines, debug } = heard();
    const read = (
      await readFiles({ remote: URL, token: remote.options.token }, { paths: ["a/", "cache/"] }, { debug })
    )._unsafeUnwrap();
    expect(texts(read.files)).toEqual({ "a/cache/k": "k\n", "cache/k": "k\n" });
    expect(lines).toEqual([]);
    const root = remote.commitOf(head).tree;
    const [a, cache] = ["a", "cache"].map((name) => remote.entries(root).find((entry) => entry.name === name)?.oid);
    expect(fetched(remote)).toEqual([
      ["deepen 1", "filter tree:1", `want ${head}`],
      ["filter tree:0", `want ${a}`, `want ${cache}`],
      ["filter tree:0", `want ${cache}`],
      [`want ${remote.entries(cache as string)[0]?.oid}`],
    ]);
  });
});
