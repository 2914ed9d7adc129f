import { afterEach, describe, expect, it, vi } from "vitest";
import { commitFiles } from "../../src/git/index.js";
import { heard, MemoryRemote, type RemoteOptions, withEachRequestFailing } from "../support/memory-remote.js";

/**
 * `commitFiles` on a Git remote held in memory (tests/support/memory-remote.ts): what it fetches, what it pushes,
 * and how it answers a head that moves, a refusal, a remote without `filter`. No server, no git binary.
 */

const URL = "https://acc.artifacts.cloudflare.net/git/default/notes.git";
const author = { name: "Ada", email: "ada@example.com", timestamp: 1_767_225_600, timezoneOffset: 0 };
const FILES = { "a.txt": "alpha\n", "docs/b.txt": "beta\n", "docs/deep/c.txt": "gamma\n", "src/x.ts": "x\n" };

function repo(options: RemoteOptions = {}) {
  const remote = new MemoryRemote(options).serve(URL);
  const base = remote.branch("main", remote.commit(FILES));
  return { remote, base, target: { remote: URL, token: remote.options.token } };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("commitFiles: the commit it pushes", () => {
  it("is the head's tree with the change, every other entry kept, on the head as its parent", async () => {
    const { remote, base, target } = repo();
    const made = (
      await commitFiles(target, { message: "add", author, files: { "docs/new.txt": "new\n" } })
    )._unsafeUnwrap();
    expect(made).toEqual({ commit: made.commit, parent: base, tree: made.tree, branch: "main", unchanged: false });
    expect(remote.refs.get("refs/heads/main")).toBe(made.commit);
    expect(remote.commitOf(made.commit)).toMatchObject({ tree: made.tree, parents: [base], message: "add\n" });
    expect(remote.commitOf(made.commit).text).toContain("author Ada <ada@example.com> 1767225600 +0000\n");
    expect(remote.read(made.commit)).toEqual({ ...FILES, "docs/new.txt": "new\n" });
    expect(remote.updates).toEqual([`${base} ${made.commit} refs/heads/main`]);
  });

  it("reads only the head's commit, its root tree and the folder on the changed path, and no file", async () => {
    const { remote, base, target } = repo();
    const docs = remote.entries(remote.commitOf(base).tree).find((entry) => entry.name === "docs")?.oid;
    (await commitFiles(target, { message: "add", author, files: { "docs/new.txt": "new\n" } }))._unsafeUnwrap();
    expect(
      remote
        .fetches()
        .map((served) => served.args.filter((arg) => !arg.startsWith("no-") && arg !== "ofs-delta" && arg !== "done")),
    ).toEqual([
      ["deepen 1", "filter tree:1", `want ${base}`],
      ["filter tree:0", `want ${docs}`],
    ]);
    expect(remote.fetches()[1]?.sent).toEqual([docs]);
  });

  it("deletes a file, and a folder it empties", async () => {
    const { remote, target } = repo();
    const made = (
      await commitFiles(target, { message: "rm", author, files: { "docs/deep/c.txt": null, "src/x.ts": null } })
    )._unsafeUnwrap();
    expect(remote.read(made.commit)).toEqual({ "a.txt": "alpha\n", "docs/b.txt": "beta\n" });
  });

  it("commits bytes, and turns a file into a folder when the file is deleted in the same commit", async () => {
    const { remote, target } = repo();
    const made = (
      await commitFiles(target, {
        message: "swap",
        author,
        files: { "a.txt": null, "a.txt/inner.bin": new Uint8Array([0, 255, 10]) },
      })
    )._unsafeUnwrap();
    expect(remote.read(made.commit)["a.txt/inner.bin"]).toBe("\u0000\u00ff\n");
  });

  it("keeps the entries it does not touch byte for byte: foreign modes and names that are not UTF-8", async () => {
    const remote = new MemoryRemote().serve(URL);
    const odd = remote.tree([
      { mode: "100664", name: "group.txt", oid: remote.blob("g\n") },
      { mode: "100644", name: Buffer.from([0x6e, 0xe9, 0x2e, 0x74]), oid: remote.blob("latin1\n") },
      { mode: "100644", name: "foo\\bar", oid: remote.blob("backslash\n") },
    ]);
    const root = remote.tree([
      { mode: "40000", name: "odd", oid: odd },
      { mode: "100644", name: "a.txt", oid: remote.blob("a\n") },
    ]);
    remote.branch("main", remote.commit(root));
    const made = (
      await commitFiles(
        { remote: URL, token: remote.options.token },
        { message: "m", author, files: { "a.txt": "b\n" } },
      )
    )._unsafeUnwrap();
    const entries = remote.entries(made.tree);
    expect(entries.find((entry) => entry.name === "odd")?.oid).toBe(odd);
    expect(remote.fetches()).toHaveLength(1);
  });

  it("refuses a file where the head has a folder, as a typed error naming `files`, and pushes nothing", async () => {
    const { remote, target } = repo();
    const refused = (await commitFiles(target, { message: "m", author, files: { docs: "file\n" } }))._unsafeUnwrapErr();
    expect(refused).toMatchObject({ _tag: "InvalidInputError", field: "files" });
    expect(remote.updates).toEqual([]);
  });
});

describe("commitFiles: a change that changes nothing", () => {
  it("is the head itself, unchanged, and no push", async () => {
    const { remote, base, target } = repo();
    const made = (
      await commitFiles(target, { message: "same", author, files: { "a.txt": "alpha\n" } })
    )._unsafeUnwrap();
    expect(made).toEqual({
      commit: base,
      parent: base,
      tree: remote.commitOf(base).tree,
      branch: "main",
      unchanged: true,
    });
    expect(remote.requests.filter((request) => request === "POST git-receive-pack")).toEqual([]);
  });

  it("with allowEmpty is a new commit of the same tree", async () => {
    const { remote, base, target } = repo();
    const made = (await commitFiles(target, { message: "empty", author, files: {}, allowEmpty: true }))._unsafeUnwrap();
    expect(made.unchanged).toBe(false);
    expect(remote.commitOf(made.commit)).toMatchObject({ parents: [base], tree: remote.commitOf(base).tree });
  });

  it("on a new branch `from` another is that branch's head under a new name: a ref update with no objects", async () => {
    const { remote, base, target } = repo();
    const made = (
      await commitFiles(target, { message: "m", author, files: { "a.txt": "alpha\n" }, branch: "draft", from: "main" })
    )._unsafeUnwrap();
    expect(made).toMatchObject({ commit: base, parent: base, branch: "draft", unchanged: true });
    expect(remote.refs.get("refs/heads/draft")).toBe(base);
    expect(remote.updates).toEqual([`${"0".repeat(40)} ${base} refs/heads/draft`]);
  });
});

describe("commitFiles: the branch it commits to", () => {
  it("starts a new branch from another's head", async () => {
    const { remote, base, target } = repo();
    const made = (
      await commitFiles(target, { message: "m", author, files: { "n.txt": "n" }, branch: "draft", from: "main" })
    )._unsafeUnwrap();
    expect(made).toMatchObject({ parent: base, branch: "draft" });
    expect(remote.refs.get("refs/heads/main")).toBe(base);
    expect(remote.read(made.commit)).toEqual({ ...FILES, "n.txt": "n" });
  });

  it("commits on a branch that exists as it is, whatever `from` says", async () => {
    const { remote, base, target } = repo();
    const draft = remote.branch("draft", remote.commit({ "d.txt": "d" }, [base], "draft", 1));
    const made = (
      await commitFiles(target, { message: "m", author, files: { "n.txt": "n" }, branch: "draft", from: "main" })
    )._unsafeUnwrap();
    expect(made.parent).toBe(draft);
    expect(remote.read(made.commit)).toEqual({ "d.txt": "d", "n.txt": "n" });
  });

  it("starts a new branch with a root commit of the files alone, without `from`", async () => {
    const { remote, target } = repo();
    const made = (
      await commitFiles(target, { message: "m", author, files: { "n.txt": "n" }, branch: "orphan" })
    )._unsafeUnwrap();
    expect(made.parent).toBeNull();
    expect(remote.commitOf(made.commit).parents).toEqual([]);
    expect(remote.read(made.commit)).toEqual({ "n.txt": "n" });
  });

  it("answers a `from` branch that does not exist with not-found", async () => {
    const { target } = repo();
    const missing = await commitFiles(target, {
      message: "m",
      author,
      files: { "n.txt": "n" },
      branch: "b",
      from: "nope",
    });
    expect(missing._unsafeUnwrapErr()).toMatchObject({
      _tag: "GitError",
      reason: "not-found",
      message: "branch nope (from) does not exist",
    });
  });

  it("commits to the branch HEAD names, in an empty repo too", async () => {
    const remote = new MemoryRemote().serve(URL);
    remote.head = "refs/heads/trunk";
    const made = (
      await commitFiles(
        { remote: URL, token: remote.options.token },
        { message: "first", author, files: { "a.txt": "a" } },
      )
    )._unsafeUnwrap();
    expect(made).toMatchObject({ branch: "trunk", parent: null });
    expect(remote.refs.get("refs/heads/trunk")).toBe(made.commit);
  });

  it("answers a HEAD that names no branch with not-found", async () => {
    const remote = new MemoryRemote().serve(URL);
    remote.head = "refs/tags/v1";
    const made = await commitFiles(
      { remote: URL, token: remote.options.token },
      { message: "m", author, files: { a: "a" } },
    );
    expect(made._unsafeUnwrapErr()).toMatchObject({
      reason: "not-found",
      message: "the remote's HEAD names no branch",
    });
  });
});

describe("commitFiles: parent, the compare-and-swap", () => {
  it("commits when the head is the parent", async () => {
    const { base, target } = repo();
    const made = await commitFiles(target, { message: "m", author, files: { "n.txt": "n" }, parent: base });
    expect(made._unsafeUnwrap().parent).toBe(base);
  });

  it("is a conflict when the head is elsewhere, and nothing is fetched or pushed", async () => {
    const { remote, base, target } = repo();
    const other = "1".repeat(40);
    const made = await commitFiles(target, { message: "m", author, files: { "n.txt": "n" }, parent: other });
    expect(made._unsafeUnwrapErr()).toMatchObject({
      _tag: "GitError",
      reason: "conflict",
      message: `branch main is at ${base}, not at the expected parent ${other}`,
    });
    expect(remote.fetches()).toEqual([]);
    expect(remote.updates).toEqual([]);
  });

  it("is a conflict when the branch does not exist", async () => {
    const { target } = repo();
    const other = "1".repeat(40);
    const made = await commitFiles(target, { message: "m", author, files: { n: "n" }, branch: "b", parent: other });
    expect(made._unsafeUnwrapErr()).toMatchObject({
      reason: "conflict",
      message: `branch b does not exist, not at the expected parent ${other}`,
    });
  });

  it("with null asks for a new branch: a conflict when it exists, a root commit when not", async () => {
    const { remote, target } = repo();
    const taken = await commitFiles(target, { message: "m", author, files: { n: "n" }, parent: null });
    expect(taken._unsafeUnwrapErr()).toMatchObject({
      reason: "conflict",
      message: "branch main already exists (parent: null asks for a new branch)",
    });
    const made = (
      await commitFiles(target, { message: "m", author, files: { n: "n" }, parent: null, branch: "fresh" })
    )._unsafeUnwrap();
    expect(made.parent).toBeNull();
    expect(remote.refs.get("refs/heads/fresh")).toBe(made.commit);
  });

  it("is a conflict when the head moves between the look and the push, and the winner stays", async () => {
    const { remote, base, target } = repo();
    const winner = remote.commit({ "w.txt": "w" }, [base], "winner", 1);
    remote.beforePush = () => {
      remote.branch("main", winner);
    };
    const made = await commitFiles(target, { message: "m", author, files: { n: "n" }, parent: base });
    expect(made._unsafeUnwrapErr()).toMatchObject({
      reason: "conflict",
      message: `branch main moved while committing (it was expected at ${base})`,
    });
    expect(remote.refs.get("refs/heads/main")).toBe(winner);
  });
});

describe("commitFiles: a concurrent push that wins", () => {
  it("is answered by re-applying the files on the new head, fetching only what is new", async () => {
    const { remote, base, target } = repo();
    vi.spyOn(Math, "random").mockReturnValue(0);
    const winner = remote.commit({ ...FILES, "w.txt": "w\n" }, [base], "winner", 1);
    let pushes = 0;
    remote.beforePush = () => {
      if (pushes++ === 0) remote.branch("main", winner);
    };
    const { lines, debug } = heard();
    const made = (
      await commitFiles(target, { message: "m", author, files: { "docs/n.txt": "n\n" } }, { debug })
    )._unsafeUnwrap();
    expect(made.parent).toBe(winner);
    expect(remote.read(made.commit)).toEqual({ ...FILES, "w.txt": "w\n", "docs/n.txt": "n\n" });
    expect(lines).toEqual(["branch main moved during attempt 1: re-applying the files on its new head"]);
    // The second attempt fetches the winner's commit and root tree; `docs` is the same tree, already held.
    expect(remote.fetches().map((served) => served.args.find((arg) => arg.startsWith("want")))).toEqual([
      `want ${base}`,
      expect.stringMatching(/^want /),
      `want ${winner}`,
    ]);
  });

  it("waits a jittered while before re-applying: up to 100 ms times 2 to the attempt", async () => {
    const { remote, base, target } = repo();
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    let moved = false;
    remote.beforePush = () => {
      if (!moved) remote.branch("main", remote.commit(FILES, [base], "winner", 1));
      moved = true;
    };
    const started = performance.now();
    (await commitFiles(target, { message: "m", author, files: { n: "n" } }))._unsafeUnwrap();
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(95);
    expect(waited).toBeLessThan(600);
  });

  it("does not retry a push that got no answer, even if the head moved meanwhile", async () => {
    const { remote, base, target } = repo();
    remote.failOn = (request) => {
      if (request !== "POST git-receive-pack") return undefined;
      remote.branch("main", remote.commit(FILES, [base], "winner", 1));
      return "network";
    };
    const made = await commitFiles(target, { message: "m", author, files: { n: "n" } });
    expect(made._unsafeUnwrapErr()).toMatchObject({ _tag: "TransportError", reason: "network" });
    expect(remote.requests.filter((request) => request === "POST git-receive-pack")).toHaveLength(1);
  });

  it("passes on a push the remote failed for its own reason, even if the head moved meanwhile", async () => {
    const { remote, base, target } = repo();
    remote.failOn = (request) => {
      if (request !== "POST git-receive-pack") return undefined;
      remote.branch("main", remote.commit(FILES, [base], "winner", 1));
      return { status: 500, body: "disk full" };
    };
    const made = await commitFiles(target, { message: "m", author, files: { n: "n" } });
    expect(made._unsafeUnwrapErr()).toMatchObject({
      name: "GitError",
      reason: "protocol",
      message: "the Git remote answered HTTP 500: disk full",
    });
  });

  it("gives up after 10 attempts on a head that keeps moving", async () => {
    const { remote, base, target } = repo();
    vi.spyOn(Math, "random").mockReturnValue(0);
    let head = base;
    remote.beforePush = () => {
      head = remote.branch("main", remote.commit(FILES, [head], "again", remote.updates.length));
    };
    const made = await commitFiles(target, { message: "m", author, files: { n: "n" } });
    expect(made._unsafeUnwrapErr()).toMatchObject({
      reason: "conflict",
      message: "branch main kept moving: gave up after 10 attempts",
    });
    expect(remote.updates).toHaveLength(10);
  });

  it("stops waiting when the signal aborts during the wait between attempts", async () => {
    const { remote, base, target } = repo();
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const controller = new AbortController();
    remote.beforePush = () => {
      remote.branch("main", remote.commit(FILES, [base], "winner", 9));
      setTimeout(() => controller.abort(new Error("stop")), 5);
    };
    const made = await commitFiles(target, { message: "m", author, files: { n: "n" } }, { signal: controller.signal });
    expect(made._unsafeUnwrapErr()).toMatchObject({ _tag: "TransportError", reason: "abort" });
    expect(remote.updates).toHaveLength(1);
  });

  it("passes on a refusal of the remote's own (the head did not move) as rejected, with its reason", async () => {
    const { remote, target } = repo();
    remote.refusal = "pre-receive hook declined";
    const made = await commitFiles(target, { message: "m", author, files: { n: "n" } });
    expect(made._unsafeUnwrapErr()).toMatchObject({
      _tag: "GitError",
      reason: "rejected",
      message: "the remote refused to update refs/heads/main: pre-receive hook declined",
    });
    expect(remote.updates).toHaveLength(1);
  });
});

describe("commitFiles on a remote without filter (Cloudflare's simulator)", () => {
  it("fetches the head's commit whole, once, and says why through debug", async () => {
    const { remote, base, target } = repo({ filter: false });
    const { lines, debug } = heard();
    const made = (
      await commitFiles(target, { message: "m", author, files: { "docs/deep/n.txt": "n" } }, { debug })
    )._unsafeUnwrap();
    expect(remote.read(made.commit)).toEqual({ ...FILES, "docs/deep/n.txt": "n" });
    expect(remote.fetches().map((served) => served.args.filter((arg) => /^(want|deepen|filter)/.test(arg)))).toEqual([
      ["deepen 1", `want ${base}`],
    ]);
    expect(lines).toEqual(["the remote does not advertise filter: fetching the commit with its files"]);
  });

  it("without shallow either, fetches the commit without deepen", async () => {
    const { remote, base, target } = repo({ filter: false, shallow: false });
    (await commitFiles(target, { message: "m", author, files: { n: "n" } }))._unsafeUnwrap();
    expect(remote.fetches().map((served) => served.args.filter((arg) => /^(want|deepen|filter)/.test(arg)))).toEqual([
      [`want ${base}`],
    ]);
  });
});

describe("commitFiles: what a remote can get wrong", () => {
  it("is a protocol error when the receive-pack advertisement fails, and nothing is pushed", async () => {
    const { remote, target } = repo();
    remote.failOn = (_, count) => (count === 1 ? { status: 500, body: "boom" } : undefined);
    const made = await commitFiles(target, { message: "m", author, files: { n: "n" } });
    expect(made._unsafeUnwrapErr()).toMatchObject({ _tag: "GitError", reason: "protocol" });
    expect(remote.updates).toEqual([]);
  });

  it("is a protocol error when a fetched pack cannot be read", async () => {
    const { remote, target } = repo({ filter: false });
    remote.tamper = (pack) => Buffer.concat([pack.subarray(0, 20), Buffer.from("garbage")]);
    const made = await commitFiles(target, { message: "m", author, files: { n: "n" } });
    expect(made._unsafeUnwrapErr()).toMatchObject({ reason: "protocol" });
    expect(made._unsafeUnwrapErr().message).toMatch(/^the fetched pack is unusable: /);
    expect(remote.updates).toEqual([]);
  });

  it("is a protocol error naming the object when even the whole commit lacks a tree", async () => {
    const { remote, base, target } = repo();
    const docs = remote.entries(remote.commitOf(base).tree).find((entry) => entry.name === "docs")?.oid as string;
    remote.objects.delete(docs);
    const made = await commitFiles(target, { message: "m", author, files: { "docs/n": "n" } });
    expect(made._unsafeUnwrapErr()).toMatchObject({
      reason: "protocol",
      message: `the remote did not send object ${docs}`,
    });
  });
});

describe("commitFiles: a request that gets no answer", () => {
  it.each([
    ["with filter", {}],
    ["without filter", { filter: false }],
  ])("ends the call with that failure, whichever request it was (%s)", async (_, options) => {
    const outcomes = await withEachRequestFailing(() => {
      const { remote, target } = repo(options);
      return { remote, call: () => commitFiles(target, { message: "m", author, files: { "docs/deep/n": "n" } }) };
    });
    expect(outcomes.length).toBeGreaterThan(2);
    for (const outcome of outcomes) expect(outcome).toMatch(/^\d+ (GET|POST) \S+: TransportError network$/);
  });

  it("ends a new branch `from` another and a retried commit the same way", async () => {
    const branched = await withEachRequestFailing(() => {
      const { remote, target } = repo();
      return {
        remote,
        call: () => commitFiles(target, { message: "m", author, files: { n: "n" }, branch: "b", from: "main" }),
      };
    });
    const retried = await withEachRequestFailing(() => {
      const { remote, base, target } = repo();
      vi.spyOn(Math, "random").mockReturnValue(0);
      let moved = false;
      remote.beforePush = () => {
        if (!moved) remote.branch("main", remote.commit(FILES, [base], "winner", 1));
        moved = true;
      };
      return { remote, call: () => commitFiles(target, { message: "m", author, files: { n: "n" } }) };
    });
    for (const outcome of [...branched, ...retried]) expect(outcome).toMatch(/: TransportError network$/);
    expect(retried.length).toBeGreaterThan(branched.length);
  });
});

describe("commitFiles: a Blob as content", () => {
  /** A Blob that counts how often it is read, and reads `later` from the `changeAfter`-th read on. */
  class CountedBlob extends Blob {
    reads = 0;
    constructor(
      private readonly first: string,
      private readonly later = first,
      private readonly changeAfter = Number.POSITIVE_INFINITY,
    ) {
      super([first]);
    }
    override stream() {
      this.reads++;
      return new Blob([this.reads > this.changeAfter ? this.later : this.first]).stream();
    }
  }

  it("commits its bytes, read twice (its id, then the pack) and never as a whole buffer", async () => {
    const { remote, target } = repo();
    const blob = new CountedBlob("from a blob\n".repeat(1000));
    const arrayBuffer = vi.spyOn(blob, "arrayBuffer");
    const made = (await commitFiles(target, { message: "m", author, files: { "big.txt": blob } }))._unsafeUnwrap();
    expect(remote.read(made.commit)["big.txt"]).toBe("from a blob\n".repeat(1000));
    expect(blob.reads).toBe(2);
    expect(arrayBuffer).not.toHaveBeenCalled();
  });

  it("is read again for the pack of each attempt when a concurrent push wins", async () => {
    const { remote, base, target } = repo();
    vi.spyOn(Math, "random").mockReturnValue(0);
    let pushes = 0;
    remote.beforePush = () => {
      if (pushes++ === 0) remote.branch("main", remote.commit(FILES, [base], "winner", 1));
    };
    const blob = new CountedBlob("again\n");
    const made = (await commitFiles(target, { message: "m", author, files: { "b.txt": blob } }))._unsafeUnwrap();
    expect(remote.read(made.commit)["b.txt"]).toBe("again\n");
    expect(blob.reads).toBe(3);
  });

  it("that changes after it was hashed stops the push: an InvalidInputError of files, and the branch unmoved", async () => {
    for (const later of ["other\n", "longer than before\n"]) {
      const { remote, base, target } = repo();
      const blob = new CountedBlob("first\n", later, 1);
      const error = (await commitFiles(target, { message: "m", author, files: { "b.txt": blob } }))._unsafeUnwrapErr();
      expect(error).toMatchObject({ _tag: "InvalidInputError", field: "files" });
      expect(error.message).toMatch(/^a Blob given as content (changed|grew) after it was hashed$/);
      expect(remote.refs.get("refs/heads/main")).toBe(base);
    }
  });

  it("is refused where it is not a Blob: a plain object of the same shape", async () => {
    const { target } = repo();
    const fake = { size: 3, stream: () => new Blob(["abc"]).stream() };
    const error = (
      await commitFiles(target, { message: "m", author, files: { "b.txt": fake as unknown as Blob } })
    )._unsafeUnwrapErr();
    expect(error).toMatchObject({
      _tag: "InvalidInputError",
      field: "files",
      message: 'files: "b.txt" must be a well-formed string, a Uint8Array, a Blob or null',
    });
  });
});
