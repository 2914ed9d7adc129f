import { describe, expect, it } from "vitest";
import { disposeGit, type MergeRefsInput, mergeRefs } from "../../src/git/index.js";
import { MemoryRemote, memoryClient, type RemoteOptions, withEachRequestFailing } from "../support/memory-remote.js";

/**
 * `mergeRefs` on a Git remote held in memory: the merge base, each way two trees merge (and each way they do not),
 * fast-forwards, squash, compare-and-swap, and a head that moves before the push. No server, no git binary.
 */

const URL = "https://acc.artifacts.cloudflare.net/git/default/notes.git";
const author = { name: "Ada", email: "ada@example.com", timestamp: 1_767_225_600, timezoneOffset: 0 };
const BASE = { "a.txt": "one\ntwo\nthree\n", "docs/b.txt": "beta\n", "docs/c.txt": "gamma\n" };
type Files = Parameters<MemoryRemote["files"]>[0];

/** A repo whose `main` and `side` both start at BASE, then take `ours` and `theirs` as their next commits. */
function diverged(ours: Files | undefined, theirs: Files | undefined, options: RemoteOptions = {}) {
  const remote = new MemoryRemote(options).serve(URL);
  const base = remote.commit(BASE, [], "base");
  const main = remote.branch("main", ours ? remote.commit(ours, [base], "ours", 1) : base);
  const side = remote.branch("side", theirs ? remote.commit(theirs, [base], "theirs", 2) : base);
  return { remote, base, main, side, target: { remote: URL, token: remote.options.token } };
}
const merge = (target: { remote: string; token: string }, input: Partial<MergeRefsInput> = {}) =>
  mergeRefs(target, { from: "side", into: "main", author, ...input } as MergeRefsInput);
const text = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes).toString("latin1") : undefined);

const FORK_URL = "https://acc.artifacts.cloudflare.net/git/default/agent-a.git";

/** `baseline` (its `main` one commit past `root`) and its fork `agent-a` (its `main` another), and a client of both. */
function forked() {
  const baseline = new MemoryRemote().serve(URL);
  const root = baseline.commit(BASE, [], "base");
  const fork = baseline.fork(FORK_URL, { token: `art_v1_${"ef".repeat(20)}?expires=1893456000` });
  const main = baseline.branch("main", baseline.commit({ ...BASE, "o.txt": "o\n" }, [root], "ours", 1));
  const theirs = fork.branch("main", fork.commit({ ...BASE, "docs/t.txt": "t\n" }, [root], "theirs", 2));
  const { client, calls } = memoryClient({
    baseline: { remote: baseline, url: URL },
    "agent-a": { remote: fork, url: FORK_URL },
  });
  return { baseline, fork, root, main, theirs, client, calls };
}

describe("mergeRefs: a three-way merge", () => {
  it("makes a merge commit of both sides' changes, on both heads, with the default message", async () => {
    const { remote, main, side, target } = diverged(
      { ...BASE, "a.txt": "ONE\ntwo\nthree\n" },
      { ...BASE, "a.txt": "one\ntwo\nTHREE\n", "s.txt": "s\n" },
    );
    const merged = (await merge(target))._unsafeUnwrap();
    expect(merged).toEqual({
      commit: merged.commit,
      parents: [main, side],
      fastForward: false,
      alreadyMerged: false,
      unchanged: false,
      changed: ["a.txt", "s.txt"],
    });
    expect(remote.refs.get("refs/heads/main")).toBe(merged.commit);
    expect(remote.commitOf(merged.commit)).toMatchObject({ parents: [main, side], message: "Merge side into main\n" });
    expect(remote.read(merged.commit)).toEqual({ ...BASE, "a.txt": "ONE\ntwo\nTHREE\n", "s.txt": "s\n" });
    expect(remote.updates).toEqual([`${main} ${merged.commit} refs/heads/main`]);
  });

  it("takes the message given, and merges inside folders both sides changed", async () => {
    const { remote, target } = diverged(
      { ...BASE, "docs/b.txt": "BETA\n", "docs/new/o.txt": "o\n" },
      { ...BASE, "docs/c.txt": "GAMMA\n", "docs/new/t.txt": "t\n" },
    );
    const merged = (await merge(target, { message: "together" }))._unsafeUnwrap();
    expect(remote.commitOf(merged.commit).message).toBe("together\n");
    expect(remote.read(merged.commit)).toEqual({
      "a.txt": BASE["a.txt"],
      "docs/b.txt": "BETA\n",
      "docs/c.txt": "GAMMA\n",
      "docs/new/o.txt": "o\n",
      "docs/new/t.txt": "t\n",
    });
    expect(merged.changed).toEqual(["docs/c.txt", "docs/new/t.txt"]);
  });

  it("keeps a deletion of one side and the other's edit elsewhere; a folder emptied on both goes", async () => {
    const { remote, target } = diverged(
      { "a.txt": BASE["a.txt"], "docs/c.txt": "gamma\n" },
      { "a.txt": "one\ntwo\nthree\nfour\n", "docs/b.txt": "beta\n" },
    );
    const merged = (await merge(target))._unsafeUnwrap();
    expect(remote.read(merged.commit)).toEqual({ "a.txt": "one\ntwo\nthree\nfour\n" });
  });

  it("merges to an empty tree when each side deletes what the other kept", async () => {
    const remote = new MemoryRemote().serve(URL);
    const base = remote.commit({ "a.txt": "a", "b.txt": "b" });
    remote.branch("main", remote.commit({ "a.txt": "a" }, [base], "ours", 1));
    remote.branch("side", remote.commit({ "b.txt": "b" }, [base], "theirs", 2));
    const merged = (await merge({ remote: URL, token: remote.options.token }))._unsafeUnwrap();
    expect(remote.commitOf(merged.commit).tree).toBe("4b825dc642cb6eb9a060e54bf8d69288fbee4904");
    expect(merged.changed).toEqual(["a.txt"]);
  });

  it("takes a mode change from the side that made it, with the other side's edit of the lines", async () => {
    const { remote, target } = diverged(
      { ...BASE, "a.txt": { mode: "100755", content: "ONE\ntwo\nthree\n" } },
      { ...BASE, "a.txt": "one\ntwo\nTHREE\n" },
    );
    const merged = (await merge(target))._unsafeUnwrap();
    expect(remote.read(merged.commit)["a.txt"]).toBe("[100755] ONE\ntwo\nTHREE\n");
  });

  it("squashes into one commit with `into` as its only parent", async () => {
    const { remote, main, target } = diverged({ ...BASE, "o.txt": "o" }, { ...BASE, "t.txt": "t" });
    const merged = (await merge(target, { squash: true }))._unsafeUnwrap();
    expect(merged.parents).toEqual([main]);
    expect(remote.commitOf(merged.commit).parents).toEqual([main]);
    expect(remote.read(merged.commit)).toEqual({ ...BASE, "o.txt": "o", "t.txt": "t" });
  });

  it("merges on a remote without filter (the commit graph and trees fetched whole)", async () => {
    const { remote, target } = diverged({ ...BASE, "o.txt": "o" }, { ...BASE, "t.txt": "t" }, { filter: false });
    const merged = (await merge(target))._unsafeUnwrap();
    expect(remote.read(merged.commit)).toEqual({ ...BASE, "o.txt": "o", "t.txt": "t" });
    expect(remote.served.filter((served) => served.args.some((arg) => arg.startsWith("filter")))).toEqual([]);
  });

  it("reads the commit graph without trees, then only the trees that differ", async () => {
    const { remote, main, side, target } = diverged({ ...BASE, "o.txt": "o" }, { ...BASE, "t.txt": "t" });
    (await merge(target))._unsafeUnwrap();
    const fetches = remote.fetches();
    expect(fetches[0]?.args).toEqual([
      "no-progress",
      "ofs-delta",
      "deepen 16",
      "filter tree:0",
      `want ${main}`,
      `want ${side}`,
      "done",
    ]);
    // `docs` is the same tree on all three sides: never fetched.
    const docs = remote.entries(remote.commitOf(main).tree).find((entry) => entry.name === "docs")?.oid;
    expect(fetches.flatMap((served) => served.sent)).not.toContain(docs);
  });
});

describe("mergeRefs: the history it reads, as deep as the merge base lies", () => {
  /** A line of `length` commits on main, and a branch `side` off the commit `back` commits below its head. */
  function long(length: number, back: number, options: RemoteOptions = {}) {
    const remote = new MemoryRemote(options).serve(URL);
    const line: string[] = [];
    for (let n = 0; n < length; n++) line.push(remote.commit({ "f.txt": `${n}\n` }, line.slice(-1), `c${n}`, n));
    const fork = line[line.length - 1 - back] as string;
    remote.branch("main", line.at(-1) as string);
    const side = remote.branch(
      "side",
      remote.commit({ "f.txt": `${length - 1 - back}\n`, "g.txt": "g\n" }, [fork], "side", length),
    );
    return { remote, fork, side, target: { remote: URL, token: remote.options.token } };
  }
  const graphFetches = (remote: MemoryRemote) =>
    remote.fetches().filter((served) => served.args.some((arg) => arg.startsWith("deepen ") && arg !== "deepen 1"));

  it("a base one commit back in a long history: one fetch of 16 commits per tip", async () => {
    const { remote, side, target } = long(300, 1);
    const merged = (await merge(target))._unsafeUnwrap();
    expect(remote.read(merged.commit)).toEqual({ "f.txt": "299\n", "g.txt": "g\n" });
    expect(graphFetches(remote).map((served) => served.args.find((arg) => arg.startsWith("deepen")))).toEqual([
      "deepen 16",
    ]);
    const commits = [...remote.objects].filter(([, object]) => object.type === "commit").map(([oid]) => oid);
    const sent = graphFetches(remote)
      .flatMap((served) => served.sent)
      .filter((oid) => commits.includes(oid));
    expect(new Set(sent).size).toBeLessThan(34);
    expect(merged.parents[1]).toBe(side);
  });

  it("a base further back: deeper each round, four times, until the base is found", async () => {
    const { remote, target } = long(300, 40);
    const merged = (await merge(target))._unsafeUnwrap();
    expect(remote.read(merged.commit)).toEqual({ "f.txt": "299\n", "g.txt": "g\n" });
    expect(graphFetches(remote).map((served) => served.args.find((arg) => arg.startsWith("deepen")))).toEqual([
      "deepen 16",
      "deepen 64",
    ]);
  });

  it("a fast-forward past a long way reads as deep as it needs, and no deeper", async () => {
    const { remote, target } = long(100, 0);
    const ahead = remote.commit({ "f.txt": "x\n" }, [remote.refs.get("refs/heads/side") as string], "more", 200);
    remote.branch("side", ahead);
    const merged = (await merge(target))._unsafeUnwrap();
    expect(merged).toMatchObject({ commit: ahead, fastForward: true });
    expect(graphFetches(remote)).toHaveLength(1);
  });

  it("without filter, from the REST contents routes: the commits one generation a round, no tree or blob by Git", async () => {
    const { remote, fork } = long(300, 1, { filter: false });
    const { client, calls } = memoryClient({ notes: { remote, url: URL } });
    const merged = (await mergeRefs(client, "notes", { from: "side", into: "main", author }))._unsafeUnwrap();
    expect(remote.read(merged.commit)).toEqual({ "f.txt": "299\n", "g.txt": "g\n" });
    // The two tips, in parallel: their one parent is the merge base, reached from both.
    expect(
      calls
        .filter((call) => call.includes("/commit/"))
        .slice(0, 2)
        .sort(),
    ).toEqual([`GET repos/notes/commit/${merged.parents[0]}`, `GET repos/notes/commit/${merged.parents[1]}`].sort());
    expect(calls).toContain(`GET repos/notes/commit/${fork}`);
    expect(graphFetches(remote)).toEqual([]);
  });

  it("on a remote without shallow: the whole history, once", async () => {
    const { remote, target } = long(50, 1, { shallow: false });
    (await merge(target))._unsafeUnwrap();
    const graph = remote.fetches().filter((served) => served.args.includes("filter tree:0"));
    expect(graph[0]?.args.some((arg) => arg.startsWith("deepen"))).toBe(false);
  });
});

describe("mergeRefs: the merge base", () => {
  it("is the nearest common ancestor, not an older one reached by another path", async () => {
    // theirs merges the root R and B; ours builds on B. Base B: only ours changed f. Base R would be a conflict.
    const remote = new MemoryRemote().serve(URL);
    const root = remote.commit({ "f.txt": "1\n" }, [], "root");
    const b = remote.commit({ "f.txt": "2\n" }, [root], "b", 1);
    remote.branch("main", remote.commit({ "f.txt": "3\n" }, [b], "ours", 2));
    remote.branch("side", remote.commit({ "f.txt": "2\n", "g.txt": "g\n" }, [root, b], "theirs", 3));
    const merged = (await merge({ remote: URL, token: remote.options.token }))._unsafeUnwrap();
    expect(remote.read(merged.commit)).toEqual({ "f.txt": "3\n", "g.txt": "g\n" });
  });

  it("is none for unrelated histories: refused as git refuses them, or with allowUnrelatedHistories additions", async () => {
    const remote = new MemoryRemote().serve(URL);
    const main = remote.branch("main", remote.commit({ "o.txt": "o" }, [], "ours"));
    const side = remote.branch("side", remote.commit({ "t.txt": "t" }, [], "theirs", 1));
    const target = { remote: URL, token: remote.options.token };
    expect((await merge(target))._unsafeUnwrapErr()).toEqual(
      expect.objectContaining({
        _tag: "GitError",
        reason: "conflict",
        message: "refusing to merge unrelated histories (allowUnrelatedHistories: true merges them)",
      }),
    );
    expect(remote.updates).toEqual([]);
    const merged = (await merge(target, { allowUnrelatedHistories: true }))._unsafeUnwrap();
    expect(merged.parents).toEqual([main, side]);
    expect(remote.read(merged.commit)).toEqual({ "o.txt": "o", "t.txt": "t" });
  });
});

describe("mergeRefs: fast-forwards and what is already merged", () => {
  it("moves `into` to `from` when it is an ancestor (allow, the default): no commit made", async () => {
    const { remote, base, side, target } = diverged(undefined, { ...BASE, "t.txt": "t\n" });
    const merged = (await merge(target))._unsafeUnwrap();
    expect(merged).toEqual({
      commit: side,
      parents: [],
      fastForward: true,
      alreadyMerged: false,
      unchanged: false,
      changed: ["t.txt"],
    });
    expect(remote.refs.get("refs/heads/main")).toBe(side);
    expect(remote.updates).toEqual([`${base} ${side} refs/heads/main`]);
  });

  it("takes HEAD as from, as every call takes a ref: the default branch", async () => {
    const { remote, side, target } = diverged(undefined, { ...BASE, "t.txt": "t\n" });
    const merged = (await merge(target, { from: "HEAD", into: "side" }))._unsafeUnwrap();
    expect(merged).toMatchObject({ alreadyMerged: true, fastForward: false, parents: [] });
    expect(remote.refs.get("refs/heads/side")).toBe(side);
    expect(remote.updates).toEqual([]);
  });

  it("with fastForward never, makes a merge commit even so", async () => {
    const { remote, base, side, target } = diverged(undefined, { ...BASE, "t.txt": "t\n" });
    const merged = (await merge(target, { fastForward: "never" }))._unsafeUnwrap();
    expect(merged).toMatchObject({ parents: [base, side], fastForward: false, changed: ["t.txt"] });
    expect(remote.commitOf(merged.commit).parents).toEqual([base, side]);
  });

  it("with fastForward only, fast-forwards, and refuses histories that diverged", async () => {
    const ahead = diverged(undefined, { ...BASE, "t.txt": "t\n" });
    expect((await merge(ahead.target, { fastForward: "only" }))._unsafeUnwrap().fastForward).toBe(true);
    const apart = diverged({ ...BASE, "o.txt": "o" }, { ...BASE, "t.txt": "t" });
    const refused = await merge(apart.target, { fastForward: "only" });
    expect(refused._unsafeUnwrapErr()).toMatchObject({
      _tag: "GitError",
      reason: "conflict",
      message: `main cannot be fast-forwarded to ${apart.side}: they have diverged`,
    });
    expect(apart.remote.updates).toEqual([]);
  });

  it("with squash, never fast-forwards: one commit on `into`", async () => {
    const { remote, base, target } = diverged(undefined, { ...BASE, "t.txt": "t\n" });
    const merged = (await merge(target, { squash: true }))._unsafeUnwrap();
    expect(merged).toMatchObject({ parents: [base], fastForward: false });
    expect(remote.read(merged.commit)).toEqual({ ...BASE, "t.txt": "t\n" });
  });

  it("is nothing to do when `from` is in `into`'s history, or is its head", async () => {
    const { remote, main, target } = diverged({ ...BASE, "o.txt": "o" }, undefined);
    expect((await merge(target))._unsafeUnwrap()).toEqual({
      commit: main,
      parents: [],
      fastForward: false,
      alreadyMerged: true,
      unchanged: false,
      changed: [],
    });
    expect((await merge(target, { from: "main" }))._unsafeUnwrap()).toEqual({
      commit: main,
      parents: [],
      fastForward: false,
      alreadyMerged: true,
      unchanged: false,
      changed: [],
    });
    expect(remote.updates).toEqual([]);
    // The commit graph of `into` held `from` already: one fetch each time, nothing of `from`'s asked for.
    expect(remote.fetches()).toHaveLength(2);
  });

  it("merges a tag or a commit id as `from`", async () => {
    const { remote, side, target } = diverged({ ...BASE, "o.txt": "o" }, { ...BASE, "t.txt": "t" });
    remote.branch("refs/tags/v1", remote.tag("v1", side));
    const byTag = (await merge(target, { from: "v1" }))._unsafeUnwrap();
    expect(byTag.parents[1]).toBe(side);
    const again = diverged({ ...BASE, "o.txt": "o" }, { ...BASE, "t.txt": "t" });
    expect((await merge(again.target, { from: again.side }))._unsafeUnwrap().parents).toEqual([again.main, again.side]);
  });
});

describe("mergeRefs: conflicts", () => {
  it("on the same lines: content, with the bytes of base, ours and theirs, and nothing pushed", async () => {
    const { remote, target } = diverged(
      { ...BASE, "a.txt": "one\nOURS\nthree\n" },
      { ...BASE, "a.txt": "one\nTHEIRS\nthree\n" },
    );
    const clash = (await merge(target))._unsafeUnwrapErr();
    expect(clash._tag).toBe("MergeConflict");
    expect(clash.message).toBe("the merge has 1 conflict(s): a.txt");
    const [conflict] = (
      clash as {
        conflicts: { path: string; kind: string; base?: Uint8Array; ours?: Uint8Array; theirs?: Uint8Array }[];
      }
    ).conflicts;
    expect(conflict).toMatchObject({ path: "a.txt", kind: "content" });
    expect([text(conflict?.base), text(conflict?.ours), text(conflict?.theirs)]).toEqual([
      BASE["a.txt"],
      "one\nOURS\nthree\n",
      "one\nTHEIRS\nthree\n",
    ]);
    expect(remote.updates).toEqual([]);
  });

  it("names a path that is not UTF-8 by `path` and its exact `pathBytes`, as every result names one", async () => {
    const remote = new MemoryRemote().serve(URL);
    const name = Buffer.from([0x6e, 0xe9]); // "n" and a Latin-1 "é": not UTF-8
    const tree = (content: string) => remote.tree([{ mode: "100644", name, oid: remote.blob(content) }]);
    const base = remote.commit(tree("one\n"), [], "base");
    remote.branch("main", remote.commit(tree("ours\n"), [base], "ours", 1));
    remote.branch("side", remote.commit(tree("theirs\n"), [base], "theirs", 2));
    const clash = (await merge({ remote: URL, token: remote.options.token }))._unsafeUnwrapErr();
    expect((clash as { conflicts: unknown[] }).conflicts).toEqual([
      expect.objectContaining({ path: "n\ufffd", pathBytes: new Uint8Array(name), kind: "content" }),
    ]);
    expect(remote.updates).toEqual([]);
  });

  const conflicts = async (ours: Files, theirs: Files) => {
    const { target } = diverged(ours, theirs);
    const clash = (await merge(target))._unsafeUnwrapErr() as {
      _tag: string;
      conflicts: { path: string; kind: string; base?: Uint8Array; ours?: Uint8Array; theirs?: Uint8Array }[];
    };
    expect(clash._tag).toBe("MergeConflict");
    return clash.conflicts.map(({ path, kind, base, ours: mine, theirs: yours }) => ({
      path,
      kind,
      base: text(base),
      ours: text(mine),
      theirs: text(yours),
    }));
  };

  it("deleted on one side and changed on the other: modify-delete, with the bytes that remain", async () => {
    const { "docs/b.txt": _, ...rest } = BASE;
    expect(await conflicts(rest, { ...BASE, "docs/b.txt": "BETA\n" })).toEqual([
      { path: "docs/b.txt", kind: "modify-delete", base: "beta\n", ours: undefined, theirs: "BETA\n" },
    ]);
  });

  it("added on both sides differently: add-add, without a base", async () => {
    expect(await conflicts({ ...BASE, "n.txt": "mine\n" }, { ...BASE, "n.txt": "yours\n" })).toEqual([
      { path: "n.txt", kind: "add-add", base: undefined, ours: "mine\n", theirs: "yours\n" },
    ]);
  });

  it("a file on one side and a folder or a symlink on the other: type", async () => {
    expect(
      await conflicts(
        { ...BASE, "a.txt": { mode: "120000", content: "target" } },
        { ...BASE, "a.txt": "one\ntwo\nTHREE\n" },
      ),
    ).toEqual([{ path: "a.txt", kind: "type", base: BASE["a.txt"], ours: "target", theirs: "one\ntwo\nTHREE\n" }]);
    expect(await conflicts({ ...BASE, "n/x.txt": "folder\n" }, { ...BASE, n: "file\n" })).toEqual([
      { path: "n", kind: "add-add", base: undefined, ours: undefined, theirs: "file\n" },
    ]);
  });

  it("a folder in the base that both sides made a file, differently: type", async () => {
    const { "docs/b.txt": _b, "docs/c.txt": _c, ...rest } = BASE;
    expect(await conflicts({ ...rest, docs: "mine\n" }, { ...rest, docs: "yours\n" })).toEqual([
      { path: "docs", kind: "type", base: undefined, ours: "mine\n", theirs: "yours\n" },
    ]);
  });

  it("modes changed to two others, or bytes that are not text: content", async () => {
    expect(
      await conflicts(
        { ...BASE, "a.txt": { mode: "100755", content: "ONE\ntwo\nthree\n" } },
        { ...BASE, "a.txt": { mode: "100664", content: "one\ntwo\nTHREE\n" } },
      ),
    ).toMatchObject([{ path: "a.txt", kind: "content" }]);
    const binary = "\u0000bin\n";
    expect(
      await conflicts({ ...BASE, "a.txt": `${binary}ONE\n` }, { ...BASE, "a.txt": `${binary}TWO\n` }),
    ).toMatchObject([{ path: "a.txt", kind: "content" }]);
    expect(
      await conflicts({ ...BASE, "a.txt": "\u00ff\u00fe\n" }, { ...BASE, "a.txt": "one\ntwo\nTHREE\n" }),
    ).toMatchObject([{ path: "a.txt", kind: "content" }]);
  });

  it("collects every conflict of the merge, in path order within each folder", async () => {
    const found = await conflicts(
      { ...BASE, "a.txt": "X\n", "docs/b.txt": "X\n" },
      { ...BASE, "a.txt": "Y\n", "docs/b.txt": "Y\n" },
    );
    expect(found.map(({ path }) => path)).toEqual(["a.txt", "docs/b.txt"]);
  });
});

describe("mergeRefs: compare-and-swap, and heads that move", () => {
  it("merges when `into` is at `parent`, and is a conflict when it is not", async () => {
    const { main, target } = diverged({ ...BASE, "o.txt": "o" }, { ...BASE, "t.txt": "t" });
    const other = "1".repeat(40);
    expect((await merge(target, { parent: other }))._unsafeUnwrapErr()).toMatchObject({
      reason: "conflict",
      message: `branch main is at ${main}, not at the expected parent ${other}`,
    });
    expect((await merge(target, { parent: main })).isOk()).toBe(true);
  });

  it("is a conflict when `into` moved before the push landed, and the winner stays", async () => {
    const { remote, main, target } = diverged({ ...BASE, "o.txt": "o" }, { ...BASE, "t.txt": "t" });
    const winner = remote.commit(BASE, [main], "winner", 5);
    remote.beforePush = () => {
      remote.branch("main", winner);
    };
    expect((await merge(target))._unsafeUnwrapErr()).toMatchObject({
      reason: "conflict",
      message: "branch main moved while merging: nothing was pushed over it",
    });
    expect(remote.refs.get("refs/heads/main")).toBe(winner);
  });

  it("ends with a push that got no answer, even if `into` moved meanwhile", async () => {
    const { remote, main, target } = diverged({ ...BASE, "o.txt": "o" }, { ...BASE, "t.txt": "t" });
    remote.failOn = (request) => {
      if (request !== "POST git-receive-pack") return undefined;
      remote.branch("main", remote.commit(BASE, [main], "winner", 5));
      return "network";
    };
    expect((await merge(target))._unsafeUnwrapErr()).toMatchObject({ _tag: "TransportError", reason: "network" });
  });

  it("passes on a refusal of the remote's own as rejected", async () => {
    const { remote, target } = diverged({ ...BASE, "o.txt": "o" }, { ...BASE, "t.txt": "t" });
    remote.refusal = "protected branch";
    expect((await merge(target))._unsafeUnwrapErr()).toMatchObject({
      reason: "rejected",
      message: "the remote refused to update refs/heads/main: protected branch",
    });
  });

  it("answers a missing `into` or `from` with not-found", async () => {
    const { target } = diverged(undefined, undefined);
    expect((await merge(target, { into: "nope" }))._unsafeUnwrapErr()).toMatchObject({
      reason: "not-found",
      message: "no branch named nope",
    });
    expect((await merge(target, { from: "nope" }))._unsafeUnwrapErr()).toMatchObject({
      reason: "not-found",
      message: "no branch or tag named nope",
    });
  });
});

describe("mergeRefs: its input", () => {
  const target = { remote: URL, token: new MemoryRemote().options.token };
  it.each([
    ["the merge must be an object", "input", null],
    ["the merge must be an object", "input", "side"],
    ["from must be a branch, a tag, a commit id, or { repo, ref }", "from", { from: { repo: 5 } }],
    ["from must be a branch, a tag, a commit id, or { repo, ref }", "from", { from: "bad..name" }],
    ["from must be a branch, a tag, a commit id, or { repo, ref }", "from", { from: { repo: "" } }],
    ["from: another repo can be named with a client only", "from", { from: { repo: "fork" } }],
    ['into must be a valid branch name (letters, digits, ".", "_", "/", "-"; not HEAD)', "into", { into: "HEAD" }],
    ["parent must be a commit id (40 lowercase hex)", "parent", { parent: "main" }],
    ["squash must be a boolean", "squash", { squash: "yes" }],
    ['fastForward must be "allow", "never" or "only"', "fastForward", { fastForward: "always" }],
  ])("refuses, before any request: %s", async (message, field, input) => {
    const remote = new MemoryRemote().serve(URL);
    const given =
      input === null || typeof input === "string" ? input : { from: "side", into: "main", author, ...input };
    const refused = await mergeRefs(target, given as unknown as MergeRefsInput);
    expect(refused._unsafeUnwrapErr()).toMatchObject({ _tag: "InvalidInputError", message, field });
    expect(remote.requests).toEqual([]);
  });

  it("checks the author as commitFiles does", async () => {
    const refused = await mergeRefs(target, { from: "side", into: "main", author: { name: "", email: "x" } });
    expect(refused._unsafeUnwrapErr()).toMatchObject({ _tag: "InvalidInputError", field: "author" });
  });
});

describe("mergeRefs: a tree git would refuse", () => {
  it("refuses a folder holding two entries of one name that both sides changed, rather than lose one", async () => {
    const remote = new MemoryRemote().serve(URL);
    const blob = (text: string) => remote.entries(remote.files({ x: text }))[0]?.oid as string;
    const [one, two] = [blob("one\n"), blob("two\n")];
    // The name twice is not the folder's first, and is UTF-8 beyond ASCII: the message names it as it is.
    const folder = (...extra: { mode: string; name: string; oid: string }[]) =>
      remote.tree([
        { mode: "100644", name: "a.txt", oid: one },
        { mode: "100644", name: "dé.txt", oid: one },
        { mode: "100644", name: "dé.txt", oid: two },
        ...extra,
      ]);
    const doubled = folder();
    const root = remote.commit(remote.tree([{ mode: "40000", name: "dup", oid: doubled }]));
    const ours = remote.tree([
      { mode: "40000", name: "dup", oid: folder({ mode: "100644", name: "o.txt", oid: one }) },
    ]);
    const theirs = remote.tree([
      { mode: "40000", name: "dup", oid: folder({ mode: "100644", name: "t.txt", oid: two }) },
    ]);
    const main = remote.branch("main", remote.commit(ours, [root], "ours", 1));
    remote.branch("side", remote.commit(theirs, [root], "theirs", 2));
    const refused = (await merge({ remote: URL, token: remote.options.token }))._unsafeUnwrapErr();
    expect(refused).toMatchObject({
      _tag: "GitError",
      reason: "protocol",
      message: `tree ${doubled} holds two entries named "dé.txt"`,
    });
    expect(remote.refs.get("refs/heads/main")).toBe(main);
  });
});

describe("mergeRefs: a ref that is not a ref", () => {
  it("says a tree's id is a tree, not a commit, with nothing pushed", async () => {
    const { remote, main, target } = diverged({ ...BASE, "o.txt": "o\n" }, undefined);
    const tree = remote.commitOf(main).tree;
    expect((await merge(target, { from: tree }))._unsafeUnwrapErr()).toEqual(
      expect.objectContaining({ _tag: "GitError", reason: "not-found", message: `${tree} is a tree, not a commit` }),
    );
    expect(remote.updates).toEqual([]);
  });

  it("checks from.ref of another repo as diffRefs does: 70 KB or an object is refused before any request", async () => {
    const { baseline, fork, client } = forked();
    for (const ref of ["a".repeat(70_000), {}, 42]) {
      const refused = await mergeRefs(client, "baseline", {
        from: { repo: "agent-a", ref } as never,
        into: "main",
        author,
      });
      expect(refused._unsafeUnwrapErr()).toEqual(
        expect.objectContaining({
          _tag: "InvalidInputError",
          field: "from",
          message: "from.ref must be a branch, a tag, a commit id or HEAD",
        }),
      );
    }
    expect([baseline.requests, fork.requests]).toEqual([[], []]);
  });
});

describe("mergeRefs from a fork, with a client", () => {
  it("brings the fork's commits and objects to the source in the push; disposing revokes both tokens", async () => {
    const { baseline, main, theirs, client, calls } = forked();
    const merged = (
      await mergeRefs(client, "baseline", { from: { repo: "agent-a" }, into: "main", author })
    )._unsafeUnwrap();
    expect(merged).toMatchObject({ parents: [main, theirs], fastForward: false, changed: ["docs/t.txt"] });
    expect(baseline.commitOf(merged.commit).message).toBe("Merge agent-a into main\n");
    expect(baseline.read(merged.commit)).toEqual({ ...BASE, "o.txt": "o\n", "docs/t.txt": "t\n" });
    // The fork's commit is on the source now, whole: the remote checked the push's connectivity.
    expect(baseline.objects.has(theirs)).toBe(true);
    await disposeGit(client);
    expect(calls.filter((call) => call.startsWith("DELETE")).sort()).toEqual([
      "DELETE tokens/token-of-agent-a",
      "DELETE tokens/token-of-baseline",
    ]);
  });

  it("fast-forwards the source to a fork that is ahead, carrying only the objects the source lacks", async () => {
    const { baseline, fork, root, theirs, client } = forked();
    baseline.branch("main", root);
    const lacking = [...fork.objects.keys()].filter((oid) => !baseline.objects.has(oid));
    const merged = (
      await mergeRefs(client, "baseline", { from: { repo: "agent-a", ref: "main" }, into: "main", author })
    )._unsafeUnwrap();
    expect(merged).toEqual({
      commit: theirs,
      parents: [],
      fastForward: true,
      alreadyMerged: false,
      unchanged: false,
      changed: ["docs/t.txt"],
    });
    expect(baseline.read(theirs)).toEqual({ ...BASE, "docs/t.txt": "t\n" });
    expect(baseline.received.map((ids) => ids.sort())).toEqual([lacking.sort()]);
  });

  it("names the fork and its ref in the default message", async () => {
    const { baseline, client } = forked();
    const merged = (
      await mergeRefs(client, "baseline", { from: { repo: "agent-a", ref: "main" }, into: "main", author })
    )._unsafeUnwrap();
    expect(baseline.commitOf(merged.commit).message).toBe("Merge agent-a:main into main\n");
  });

  it("merges from the same repo named as a fork, with one token", async () => {
    const { baseline, client, calls } = forked();
    const side = baseline.branch("side", baseline.commit({ ...BASE, "s.txt": "s" }, [], "side", 4));
    const merged = (
      await mergeRefs(client, "baseline", {
        from: { repo: "baseline", ref: "side" },
        into: "main",
        author,
        // `side` is a root of its own.
        allowUnrelatedHistories: true,
      })
    )._unsafeUnwrap();
    expect(merged.parents[1]).toBe(side);
    expect(calls.filter((call) => call.startsWith("POST tokens"))).toHaveLength(1);
  });

  it("answers a fork that does not exist with the API's not-found; disposing revokes the source's token", async () => {
    const { client, calls } = forked();
    const merged = await mergeRefs(client, "baseline", { from: { repo: "nope" }, into: "main", author });
    expect(merged._unsafeUnwrapErr()).toMatchObject({ _tag: "HttpError", status: 404 });
    await disposeGit(client);
    expect(calls).toContain("DELETE tokens/token-of-baseline");
  });
});

describe("mergeRefs: a request that gets no answer", () => {
  it.each([
    ["a three-way merge", {}, { ...BASE, "a.txt": "ONE\ntwo\nthree\n" }],
    ["a three-way merge without filter", { filter: false }, { ...BASE, "a.txt": "ONE\ntwo\nthree\n" }],
    ["a fast-forward", {}, undefined],
  ])("ends %s with that failure, whichever request it was, and pushes nothing", async (_, options, ours) => {
    const runs: { remote: MemoryRemote; main: string }[] = [];
    const outcomes = await withEachRequestFailing(() => {
      const { remote, main, target } = diverged(ours, { ...BASE, "a.txt": "one\ntwo\nTHREE\n" }, options);
      runs.push({ remote, main });
      return { remote, call: () => merge(target) };
    });
    expect(outcomes.length).toBeGreaterThan(2);
    for (const outcome of outcomes) expect(outcome).toMatch(/^\d+ (GET|POST) \S+: TransportError network$/);
    // The first run is the one that succeeded; every failed one left main where it was, the last failure included.
    expect(runs.slice(1).map(({ remote }) => remote.refs.get("refs/heads/main"))).toEqual(
      runs.slice(1).map(({ main }) => main),
    );
    expect(outcomes.at(-1)).toMatch(/POST git-receive-pack: /);
  });

  it("ends a merge from a fork the same way, whichever remote's request it was", async () => {
    const outcomes: string[] = [];
    for (const failing of ["baseline", "fork"] as const) {
      outcomes.push(
        ...(await withEachRequestFailing(() => {
          const { baseline, fork, client } = forked();
          return {
            remote: failing === "baseline" ? baseline : fork,
            call: () => mergeRefs(client, "baseline", { from: { repo: "agent-a" }, into: "main", author }),
          };
        })),
      );
    }
    for (const outcome of outcomes) expect(outcome).toMatch(/: TransportError network$/);
  });
});

describe("mergeRefs: what it merges, entry by entry", () => {
  const blobFile = (remote: MemoryRemote, bytes: number[]) => ({
    mode: "100644",
    oid: remote.blob(Buffer.from(bytes)),
  });

  it("names the error MergeConflict and lists every path in its message", async () => {
    const { target } = diverged(
      { ...BASE, "a.txt": "X\n", "docs/b.txt": "X\n" },
      { ...BASE, "a.txt": "Y\n", "docs/b.txt": "Y\n" },
    );
    const clash = (await merge(target))._unsafeUnwrapErr();
    expect([clash.name, clash.message]).toEqual(["MergeConflict", "the merge has 2 conflict(s): a.txt, docs/b.txt"]);
  });

  it("pushes only what is new: the merged file, the trees above it and the merge commit", async () => {
    const { remote, target } = diverged(
      { ...BASE, "a.txt": "ONE\ntwo\nthree\n" },
      { ...BASE, "a.txt": "one\ntwo\nTHREE\n", "s.txt": "s\n" },
    );
    const merged = (await merge(target))._unsafeUnwrap();
    const root = remote.commitOf(merged.commit).tree;
    const file = remote.entries(root).find((entry) => entry.name === "a.txt")?.oid;
    expect(remote.received.map((ids) => ids.sort())).toEqual([[merged.commit, root, file].sort()]);
  });

  it("takes a mode change of theirs with a content change of ours, and the same mode change of both", async () => {
    const theirsMode = diverged(
      { ...BASE, "a.txt": "ONE\ntwo\nthree\n" },
      { ...BASE, "a.txt": { mode: "100755", content: "one\ntwo\nTHREE\n" } },
    );
    const one = (await merge(theirsMode.target))._unsafeUnwrap();
    expect(theirsMode.remote.read(one.commit)["a.txt"]).toBe("[100755] ONE\ntwo\nTHREE\n");
    const both = diverged(
      { ...BASE, "a.txt": { mode: "100755", content: "ONE\ntwo\nthree\n" } },
      { ...BASE, "a.txt": { mode: "100755", content: "one\ntwo\nTHREE\n" } },
    );
    const two = (await merge(both.target))._unsafeUnwrap();
    expect(both.remote.read(two.commit)["a.txt"]).toBe("[100755] ONE\ntwo\nTHREE\n");
  });

  it("keeps a mode change of ours when theirs changed only the content", async () => {
    const { remote, target } = diverged(
      { ...BASE, "a.txt": { mode: "100755", content: BASE["a.txt"] } },
      { ...BASE, "a.txt": "one\ntwo\nTHREE\n" },
    );
    const merged = (await merge(target))._unsafeUnwrap();
    expect(remote.read(merged.commit)["a.txt"]).toBe("[100755] one\ntwo\nTHREE\n");
  });

  it("merges the same change made on both sides, with one side's further change", async () => {
    const { remote, target } = diverged(
      { ...BASE, "a.txt": "one\nTWO\nthree\n" },
      { ...BASE, "a.txt": "one\nTWO\nthree\nfour\n" },
    );
    const merged = (await merge(target))._unsafeUnwrap();
    expect(remote.read(merged.commit)["a.txt"]).toBe("one\nTWO\nthree\nfour\n");
  });

  it("merges by whole lines: two changes of one line conflict, however far apart in it", async () => {
    const { target } = diverged({ ...BASE, "a.txt": "one\nTwo\nthree\n" }, { ...BASE, "a.txt": "one\ntwO\nthree\n" });
    expect((await merge(target))._unsafeUnwrapErr()).toMatchObject({ conflicts: [{ path: "a.txt", kind: "content" }] });
  });

  it("does not merge lines of a binary file, even changes apart", async () => {
    const remote = new MemoryRemote().serve(URL);
    const root = remote.commit({ "bin.dat": "\u0000\nA\nB\nC\n" });
    remote.branch("main", remote.commit({ "bin.dat": "\u0000\nX\nB\nC\n" }, [root], "ours", 1));
    remote.branch("side", remote.commit({ "bin.dat": "\u0000\nA\nB\nY\n" }, [root], "theirs", 2));
    expect((await merge({ remote: URL, token: remote.options.token }))._unsafeUnwrapErr()).toMatchObject({
      conflicts: [{ path: "bin.dat", kind: "content" }],
    });
  });

  it.each([
    ["the base", 0, undefined],
    ["ours", 1, "\xffX\nB\nY\n"],
    ["theirs", 2, undefined],
  ])("merges lines that are not UTF-8 as bytes, as git does (%s with a 0xFF byte)", async (_, which, merged) => {
    const remote = new MemoryRemote().serve(URL);
    const sides = ["A\nB\nC\n", "X\nB\nC\n", "A\nB\nY\n"].map((text, index) =>
      index === which ? blobFile(remote, [0xff, ...Buffer.from(text)]) : text,
    );
    const root = remote.commit({ "f.txt": sides[0] as string });
    remote.branch("main", remote.commit({ "f.txt": sides[1] as string }, [root], "ours", 1));
    remote.branch("side", remote.commit({ "f.txt": sides[2] as string }, [root], "theirs", 2));
    const result = await merge({ remote: URL, token: remote.options.token });
    // A changed first line on a side is a change of the line the other side keeps, or changes too.
    if (merged === undefined) {
      expect(result._unsafeUnwrapErr()).toMatchObject({ conflicts: [{ path: "f.txt", kind: "content" }] });
    } else {
      expect(remote.read(result._unsafeUnwrap().commit)["f.txt"]).toBe(merged);
    }
  });

  it("names a conflict on a path of UTF-8 beyond ASCII as it is", async () => {
    const { target } = diverged({ ...BASE, "naïve.txt": "X\n" }, { ...BASE, "naïve.txt": "Y\n" });
    expect((await merge(target))._unsafeUnwrapErr()).toMatchObject({
      conflicts: [{ path: "naïve.txt", kind: "add-add" }],
    });
  });

  it("a folder on ours and a file on theirs is add-add, as the reverse is; a file both made a folder merges as git's", async () => {
    const flipped = diverged({ ...BASE, n: "file\n" }, { ...BASE, "n/x.txt": "folder\n" });
    expect((await merge(flipped.target))._unsafeUnwrapErr()).toMatchObject({
      conflicts: [{ path: "n", kind: "add-add", ours: new TextEncoder().encode("file\n") }],
    });
    const remote = new MemoryRemote().serve(URL);
    const root = remote.commit({ x: "file\n" });
    remote.branch("main", remote.commit({ "x/a": "a" }, [root], "ours", 1));
    remote.branch("side", remote.commit({ "x/b": "b" }, [root], "theirs", 2));
    const merged = (await merge({ remote: URL, token: remote.options.token }))._unsafeUnwrap();
    expect(remote.read(merged.commit)).toEqual({ "x/a": "a", "x/b": "b" });
  });

  it("two new targets of a symlink or a submodule are a content conflict; a submodule's id is not fetched", async () => {
    const [m1, m2, m3] = ["1", "2", "3"].map((digit) => digit.repeat(40)) as [string, string, string];
    const remote = new MemoryRemote().serve(URL);
    const side = (target: string, module: string) => ({
      "a.txt": "a\n",
      link: { mode: "120000", content: target },
      lib: { mode: "160000", oid: module },
    });
    const root = remote.commit(side("a", m1));
    remote.branch("main", remote.commit(side("b", m2), [root], "ours", 1));
    remote.branch("side", remote.commit(side("c", m3), [root], "theirs", 2));
    const clash = (await merge({ remote: URL, token: remote.options.token }))._unsafeUnwrapErr() as {
      conflicts: { path: string; kind: string; ours?: Uint8Array }[];
    };
    expect(clash.conflicts.map(({ path, kind }) => `${kind} ${path}`)).toEqual(["content lib", "content link"]);
    expect(clash.conflicts[0]).not.toHaveProperty("ours");
    expect(text(clash.conflicts[1]?.ours)).toBe("b");
    expect(remote.served.flatMap((served) => served.args).filter((arg) => /^want [123]{40}$/.test(arg))).toEqual([]);
  });

  it("removes a folder both sides emptied, not keeping it as an empty tree", async () => {
    const { remote, target } = diverged(
      { "a.txt": BASE["a.txt"], "docs/c.txt": "gamma\n" },
      { "a.txt": "one\ntwo\nthree\nfour\n", "docs/b.txt": "beta\n" },
    );
    const merged = (await merge(target))._unsafeUnwrap();
    expect(remote.entries(remote.commitOf(merged.commit).tree).map((entry) => entry.name)).toEqual(["a.txt"]);
  });
});

describe("mergeRefs: targets and their tokens", () => {
  it("with a client, merges two branches of one repo on one write token", async () => {
    const { remote, main, side } = diverged({ ...BASE, "o.txt": "o" }, { ...BASE, "t.txt": "t" });
    const { client, calls } = memoryClient({ notes: { remote, url: URL } });
    const merged = (await mergeRefs(client, "notes", { from: "side", into: "main", author }))._unsafeUnwrap();
    expect(merged.parents).toEqual([main, side]);
    expect(calls.filter((call) => call.startsWith("POST tokens"))).toEqual(["POST tokens"]);
  });

  it("with a handle, mints a write token", async () => {
    const { remote } = diverged({ ...BASE, "o.txt": "o" }, { ...BASE, "t.txt": "t" });
    const { handle, calls } = remote.handle(URL);
    (await mergeRefs(handle, { from: "side", into: "main", author }))._unsafeUnwrap();
    expect(calls.filter((call) => call.startsWith("createToken"))).toEqual(["createToken write 600"]);
  });

  it("passes on a push the remote failed for its own reason, even if `into` moved meanwhile", async () => {
    const { remote, main, target } = diverged({ ...BASE, "o.txt": "o" }, { ...BASE, "t.txt": "t" });
    remote.failOn = (request) => {
      if (request !== "POST git-receive-pack") return undefined;
      remote.branch("main", remote.commit(BASE, [main], "winner", 5));
      return { status: 500, body: "disk full" };
    };
    expect((await merge(target))._unsafeUnwrapErr()).toMatchObject({
      reason: "protocol",
      message: "the Git remote answered HTTP 500: disk full",
    });
  });
});

describe("mergeRefs: renames and several merge bases, as merge-ort decides them (merge.integration judges by git)", () => {
  const body = "line one\nline two\nline three\nline four\n";
  type Changes = Record<string, string | null>;
  const applied = (base: Changes, changes: Changes) => {
    const files: Record<string, string> = {};
    for (const [path, content] of Object.entries({ ...base, ...changes })) if (content !== null) files[path] = content;
    return files;
  };
  /** `base`, then `ours` on main and `theirs` on side (each as changes to it), merged: side into main. */
  const judged = async (base: Changes, ours: Changes, theirs: Changes) => {
    const remote = new MemoryRemote().serve(URL);
    const start = remote.commit(applied({}, base), [], "base");
    const main = remote.branch("main", remote.commit(applied(base, ours), [start], "ours", 1));
    remote.branch("side", remote.commit(applied(base, theirs), [start], "theirs", 2));
    const merged = await merge({ remote: URL, token: remote.options.token });
    return { remote, main, merged };
  };
  const conflictsOf = (merged: Awaited<ReturnType<typeof judged>>["merged"]) =>
    (merged._unsafeUnwrapErr() as { conflicts: { path: string; kind: string }[] }).conflicts.map(({ path, kind }) => ({
      path,
      kind,
    }));

  it("carries an edit along an exact rename, whichever side renamed, into a new folder too", async () => {
    const one = await judged({ "f.txt": body }, { "f.txt": null, "g.txt": body }, { "f.txt": `${body}five\n` });
    expect(one.remote.read(one.merged._unsafeUnwrap().commit)).toEqual({ "g.txt": `${body}five\n` });
    const two = await judged(
      { "f.txt": body, "k.txt": "k\n" },
      { "f.txt": `line zero\n${body}`, "k.txt": "K\n" },
      { "f.txt": null, "deep/er/f.txt": body },
    );
    expect(two.remote.read(two.merged._unsafeUnwrap().commit)).toEqual({
      "deep/er/f.txt": `line zero\n${body}`,
      "k.txt": "K\n",
    });
  });

  it("refuses what git decides by name or by likeness: two candidates, rename/rename, a rename onto an addition", async () => {
    const candidates = await judged(
      { "f.txt": body },
      { "f.txt": null, "a/f.txt": body, "b/g.txt": body },
      { "f.txt": `${body}five\n` },
    );
    expect(conflictsOf(candidates.merged)).toEqual([{ path: "f.txt", kind: "modify-delete" }]);
    const apart = await judged({ "f.txt": body }, { "f.txt": null, "g.txt": body }, { "f.txt": null, "h.txt": body });
    expect(conflictsOf(apart.merged)).toEqual([{ path: "f.txt", kind: "rename" }]);
    const onto = await judged(
      { "f.txt": body },
      { "f.txt": null, "g.txt": body },
      { "f.txt": `${body}five\n`, "g.txt": "other\n" },
    );
    expect(conflictsOf(onto.merged)).toEqual([{ path: "g.txt", kind: "add-add" }]);
    const alike = await judged(
      { "f.txt": body },
      { "f.txt": null, "g.txt": body.replace("line four", "line 4") },
      { "f.txt": null, "k.txt": "unrelated\n" },
    );
    expect(conflictsOf(alike.merged)).toEqual([{ path: "f.txt", kind: "rename" }]);
    for (const { remote, main } of [candidates, apart, onto, alike]) {
      expect(remote.refs.get("refs/heads/main")).toBe(main);
      expect(remote.updates).toEqual([]);
    }
  });

  it("asks where a folder git would move takes a new file, and merges where no folder moved", async () => {
    const moved = await judged(
      { "dir/a.txt": "a\n", "dir/b.txt": "b\n" },
      { "dir/a.txt": null, "dir/b.txt": null, "new/a.txt": "a\n", "new/b.txt": "b\n" },
      { "dir/c.txt": "c\n" },
    );
    expect(conflictsOf(moved.merged)).toEqual([{ path: "dir/c.txt", kind: "rename" }]);
    const deleted = await judged(
      { "dir/a.txt": "a\n", "dir/b.txt": "b\n", "k.txt": "k\n" },
      { "dir/a.txt": null, "dir/b.txt": null },
      { "dir/c.txt": "c\n" },
    );
    expect(deleted.remote.read(deleted.merged._unsafeUnwrap().commit)).toEqual({ "dir/c.txt": "c\n", "k.txt": "k\n" });
    const unlike = await judged(
      { "fixes/fix-1.txt": "f1", "fixes/fix-2.txt": "f2", "k.txt": "k\n" },
      { "fixes/fix-1.txt": null, "fixes/fix-2.txt": null, "patched/a.txt": "a\n", "patched/b.txt": "b\n" },
      { "fixes/fix-3.txt": "f3" },
    );
    expect(unlike.remote.read(unlike.merged._unsafeUnwrap().commit)).toEqual({
      "fixes/fix-3.txt": "f3",
      "k.txt": "k\n",
      "patched/a.txt": "a\n",
      "patched/b.txt": "b\n",
    });
  });

  it("moves nothing where the rename is not plain: two files of that content went, or the new path holds it too", async () => {
    // Two deleted files had the bytes of the one added: git would choose by name.
    const twoSources = await judged(
      { "f.txt": body, "h.txt": body },
      { "f.txt": null, "h.txt": null, "g.txt": body },
      { "f.txt": `${body}five\n` },
    );
    expect(conflictsOf(twoSources.merged)).toEqual([{ path: "f.txt", kind: "modify-delete" }]);
    // The other side added the very same file at the new path: carrying the edit there would hide it.
    const same = await judged(
      { "f.txt": body },
      { "f.txt": null, "g.txt": body },
      { "f.txt": `${body}five\n`, "g.txt": body },
    );
    expect(conflictsOf(same.merged)).toEqual([{ path: "f.txt", kind: "modify-delete" }]);
  });

  it("asks where either side empties a folder the other adds into, and only then", async () => {
    const theirsMoved = await judged(
      { "dir/a.txt": "a\n", "dir/b.txt": "b\n" },
      { "dir/c.txt": "c\n" },
      { "dir/a.txt": null, "dir/b.txt": null, "new/a.txt": "a\n", "new/b.txt": "b\n" },
    );
    expect(conflictsOf(theirsMoved.merged)).toEqual([{ path: "dir/c.txt", kind: "rename" }]);
    // A folder emptied by a rename, while the other side adds nothing into it: the rename merges as it is.
    const elsewhere = await judged(
      { "dir/a.txt": "a\n", "dir/b.txt": "b\n", "k.txt": "k\n" },
      { "dir/a.txt": null, "dir/b.txt": null, "new/a.txt": "a\n", "new/b.txt": "b\n" },
      { "k.txt": "K\n", "l.txt": "l\n" },
    );
    expect(elsewhere.remote.read(elsewhere.merged._unsafeUnwrap().commit)).toEqual({
      "k.txt": "K\n",
      "l.txt": "l\n",
      "new/a.txt": "a\n",
      "new/b.txt": "b\n",
    });
  });

  /** `x` and `y` each merged the other's first commit (files as given), so they have two merge bases. */
  const crissCross = (x: Changes, y: Changes, xMerged: Changes, yMerged: Changes) => {
    const remote = new MemoryRemote().serve(URL);
    const base = { "f.txt": "a\n", "g.txt": "1\n" };
    const start = remote.commit(base, [], "base");
    const x1 = remote.commit(applied(base, x), [start], "x1", 1);
    const y1 = remote.commit(applied(base, y), [start], "y1", 2);
    const xm = remote.commit(applied(base, xMerged), [x1, y1], "x merges y", 3);
    const ym = remote.commit(applied(base, yMerged), [y1, x1], "y merges x", 4);
    return { remote, x1, y1, xm, ym };
  };

  it("merges a criss-cross history against the virtual base its two merge bases make", async () => {
    const both = { "f.txt": "b\n", "g.txt": "2\n" };
    const { remote, xm, ym } = crissCross({ "f.txt": "b\n" }, { "g.txt": "2\n" }, both, both);
    const x2 = remote.branch("main", remote.commit({ ...both, "h.txt": "x side\n" }, [xm], "x2", 5));
    const y2 = remote.branch("side", remote.commit({ ...both, "f.txt": "b\nmore\n" }, [ym], "y2", 6));
    const merged = (await merge({ remote: URL, token: remote.options.token }))._unsafeUnwrap();
    expect(merged.parents).toEqual([x2, y2]);
    expect(remote.read(merged.commit)).toEqual({ "f.txt": "b\nmore\n", "g.txt": "2\n", "h.txt": "x side\n" });
  });

  it("refuses a criss-cross whose merge bases conflict with each other, and pushes nothing", async () => {
    const { remote, xm, ym } = crissCross(
      { "f.txt": "b\n" },
      { "f.txt": "c\n" },
      { "f.txt": "b\n" },
      { "f.txt": "c\n" },
    );
    remote.branch("main", xm);
    remote.branch("side", ym);
    const refused = (await merge({ remote: URL, token: remote.options.token }))._unsafeUnwrapErr();
    expect(refused).toMatchObject({ _tag: "GitError", reason: "conflict" });
    expect(refused.message).toMatch(/criss-cross history\) conflict with each other on f\.txt: merge these by hand/);
    expect(remote.updates).toEqual([]);
  });
});

describe("mergeRefs: resolutions and renames that are not plain files", () => {
  type Files = Parameters<MemoryRemote["files"]>[0];
  const divergedFrom = (base: Files, ours: Files, theirs: Files) => {
    const remote = new MemoryRemote().serve(URL);
    const start = remote.commit(base, [], "base");
    const main = remote.branch("main", remote.commit(ours, [start], "ours", 1));
    remote.branch("side", remote.commit(theirs, [start], "theirs", 2));
    return { remote, main, target: { remote: URL, token: remote.options.token } };
  };
  const body = "line one\nline two\nline three\nline four\n";

  it("writes a resolution's bytes where the lines conflict, keeping the file's mode", async () => {
    const exe = (content: string) => ({ mode: "100755", content });
    const { remote, target } = divergedFrom(
      { "run.sh": exe("a\n") },
      { "run.sh": exe("ours\n") },
      { "run.sh": exe("theirs\n") },
    );
    const merged = (await merge(target, { resolutions: { "run.sh": "both\n" } }))._unsafeUnwrap();
    expect(remote.read(merged.commit)).toEqual({ "run.sh": "[100755] both\n" });
  });

  it("resolves a modify-delete by deleting the file (null) or by keeping given bytes", async () => {
    const sides = [{ "a.txt": "a\n", "k.txt": "k\n" }, { "k.txt": "k\n" }, { "a.txt": "A\n", "k.txt": "k\n" }] as const;
    const gone = divergedFrom(...sides);
    const deleted = (await merge(gone.target, { resolutions: { "a.txt": null } }))._unsafeUnwrap();
    expect(gone.remote.read(deleted.commit)).toEqual({ "k.txt": "k\n" });
    const kept = divergedFrom(...sides);
    const resolved = (
      await merge(kept.target, { resolutions: { "a.txt": new Uint8Array([0x41, 0x0a]) } })
    )._unsafeUnwrap();
    expect(kept.remote.read(resolved.commit)).toEqual({ "a.txt": "A\n", "k.txt": "k\n" });
  });

  it("a resolution of another path leaves the conflict as it is", async () => {
    const { remote, main, target } = divergedFrom({ "a.txt": "a\n" }, { "a.txt": "o\n" }, { "a.txt": "t\n" });
    const clash = (await merge(target, { resolutions: { "b.txt": "x\n" } }))._unsafeUnwrapErr();
    expect((clash as { conflicts: { path: string }[] }).conflicts.map(({ path }) => path)).toEqual(["a.txt"]);
    expect(remote.refs.get("refs/heads/main")).toBe(main);
  });

  it("carries an edit along the rename of an executable file; a symlink's rename is not carried", async () => {
    const exe = (content: string) => ({ mode: "100755", content });
    const renamedExe = divergedFrom({ "f.sh": exe(body) }, { "g.sh": exe(body) }, { "f.sh": exe(`${body}five\n`) });
    const carried = (await merge(renamedExe.target))._unsafeUnwrap();
    expect(renamedExe.remote.read(carried.commit)).toEqual({ "g.sh": `[100755] ${body}five\n` });
    // git carries this one too (merge-tree is clean): here a conflict, where git merges, never a tree git would not make.
    const link = (target: string) => ({ mode: "120000", content: target });
    const renamedLink = divergedFrom({ l: link("a") }, { m: link("a") }, { l: link("b") });
    const clash = (await merge(renamedLink.target))._unsafeUnwrapErr();
    expect((clash as { conflicts: { path: string; kind: string }[] }).conflicts).toEqual([
      expect.objectContaining({ path: "l", kind: "modify-delete" }),
    ]);
  });
});

describe("mergeRefs: the tree merge's bookkeeping", () => {
  const exe = (content: string) => ({ mode: "100755", content });
  const link = (target: string) => ({ mode: "120000", content: target });
  const divergedFrom = (base: Files, ours: Files, theirs: Files) => {
    const remote = new MemoryRemote().serve(URL);
    const start = remote.commit(base, [], "base");
    const main = remote.branch("main", remote.commit(ours, [start], "ours", 1));
    const side = remote.branch("side", remote.commit(theirs, [start], "theirs", 2));
    return { remote, start, main, side, target: { remote: URL, token: remote.options.token } };
  };

  it("refuses a history of three merge bases, as merge-ort would recurse where this does not, and pushes nothing", async () => {
    const remote = new MemoryRemote().serve(URL);
    const base = { "a.txt": "a\n", "b.txt": "b\n", "c.txt": "c\n" };
    const start = remote.commit(base, [], "base");
    const [a1, b1, c1] = (["a.txt", "b.txt", "c.txt"] as const).map((path, n) =>
      remote.commit({ ...base, [path]: `${path} changed\n` }, [start], path, n + 1),
    ) as [string, string, string];
    const all = { "a.txt": "a.txt changed\n", "b.txt": "b.txt changed\n", "c.txt": "c.txt changed\n" };
    // Two octopus merges of the same three commits: each of the three is a best common ancestor.
    const x = remote.commit(all, [a1, b1, c1], "x", 4);
    const y = remote.commit(all, [c1, b1, a1], "y", 5);
    const main = remote.branch("main", remote.commit({ ...all, "x.txt": "x\n" }, [x], "x2", 6));
    remote.branch("side", remote.commit({ ...all, "y.txt": "y\n" }, [y], "y2", 7));
    const refused = (await merge({ remote: URL, token: remote.options.token }))._unsafeUnwrapErr();
    expect(refused).toMatchObject({ _tag: "GitError", reason: "conflict" });
    expect(refused.message).toMatch(
      /^3 merge bases \([0-9a-f]{40}, [0-9a-f]{40}, [0-9a-f]{40}\): merge these by hand$/,
    );
    for (const id of [a1, b1, c1]) expect(refused.message).toContain(id);
    expect(remote.refs.get("refs/heads/main")).toBe(main);
    expect(remote.updates).toEqual([]);
  });

  it("a symlink one side retargeted and the other made a file: type, not content", async () => {
    const { target } = divergedFrom({ l: link("a") }, { l: link("b") }, { l: "a file\n" });
    const clash = (await merge(target))._unsafeUnwrapErr() as { conflicts: { path: string; kind: string }[] };
    expect(clash.conflicts.map(({ path, kind }) => ({ path, kind }))).toEqual([{ path: "l", kind: "type" }]);
  });

  it("gives a folder's side of a conflict no bytes: only a file's, or a symlink's, are read", async () => {
    const { target } = divergedFrom(
      { k: "k\n", n: "base\n" },
      { k: "k\n", "n/x.txt": "folder\n" },
      { k: "k\n", n: "file\n" },
    );
    const clash = (await merge(target))._unsafeUnwrapErr() as unknown as { conflicts: Record<string, unknown>[] };
    expect(clash.conflicts).toHaveLength(1);
    expect(clash.conflicts[0]).toMatchObject({ path: "n", kind: "type" });
    expect(Object.keys(clash.conflicts[0] ?? {}).sort()).toEqual(["base", "kind", "path", "theirs"]);
  });

  it("writes a resolution under the path's name, in the mode of the side that kept a file", async () => {
    const deleted = divergedFrom({ "run.sh": exe("a\n"), k: "k\n" }, { k: "k\n" }, { "run.sh": exe("b\n"), k: "k\n" });
    const kept = (await merge(deleted.target, { resolutions: { "run.sh": "c\n" } }))._unsafeUnwrap();
    expect(deleted.remote.read(kept.commit)).toEqual({ "run.sh": "[100755] c\n", k: "k\n" });
    const typed = divergedFrom({ "run.sh": exe("a\n") }, { "run.sh": link("elsewhere") }, { "run.sh": exe("b\n") });
    const resolved = (await merge(typed.target, { resolutions: { "run.sh": "d\n" } }))._unsafeUnwrap();
    expect(typed.remote.read(resolved.commit)).toEqual({ "run.sh": "[100755] d\n" });
  });

  it("reads the files both sides changed in one fetch per side for the whole folder, not one each", async () => {
    const files = (first: string, last: string) => ({
      "d/one.txt": `${first}\none\n3\n4\n${last}\n`,
      "d/two.txt": `${first}\ntwo\n3\n4\n${last}\n`,
    });
    const { remote, target } = divergedFrom(files("1", "5"), files("X", "5"), files("1", "Y"));
    remote.served.length = 0;
    const merged = (await merge(target))._unsafeUnwrap();
    expect(remote.read(merged.commit)).toEqual(files("X", "Y"));
    // The blobs' fetches: the base's and ours in one, theirs in the other.
    const blobFetches = remote
      .fetches()
      .map((served) => served.args.filter((arg) => arg.startsWith("want ")).map((arg) => arg.slice(5)))
      .filter((wants) => wants.length > 0 && wants.every((id) => remote.objects.get(id)?.type === "blob"));
    expect(blobFetches.map((wants) => wants.length).sort()).toEqual([2, 4]);
  });

  it("pushes no folder the merge left as ours had it", async () => {
    // In d/ both made the change to c.txt, and ours one more: d/ merges to ours's own folder, already on the remote.
    const base = { "a.txt": "a\n", "d/b.txt": "b\n", "d/c.txt": "c\n" };
    const { remote, target } = divergedFrom(
      base,
      { ...base, "d/b.txt": "B\n", "d/c.txt": "C\n" },
      { ...base, "a.txt": "A\n", "d/c.txt": "C\n" },
    );
    const merged = (await merge(target))._unsafeUnwrap();
    const root = remote.commitOf(merged.commit).tree;
    expect(remote.read(merged.commit)).toEqual({ "a.txt": "A\n", "d/b.txt": "B\n", "d/c.txt": "C\n" });
    expect(remote.received.map((ids) => ids.sort())).toEqual([[merged.commit, root].sort()]);
  });
});
