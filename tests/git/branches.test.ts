import { describe, expect, it } from "vitest";
import { createBranch, deleteBranch, listRefs } from "../../src/git/index.js";
import { MemoryRemote, withEachRequestFailing } from "../support/memory-remote.js";

/**
 * `listRefs`, `createBranch` and `deleteBranch` on a Git remote held in memory: the refs as ls-refs reports them,
 * one ref update each, compare-and-swap, a branch that moves during a deletion, and the input checks.
 */

const URL = "https://acc.artifacts.cloudflare.net/git/default/notes.git";
const ZERO = "0".repeat(40);

function repo() {
  const remote = new MemoryRemote().serve(URL);
  const main = remote.branch("main", remote.commit({ "a.txt": "a" }));
  const draft = remote.branch("draft", remote.commit({ "a.txt": "b" }, [main], "draft", 1));
  return { remote, main, draft, target: { remote: URL, token: remote.options.token } };
}

describe("listRefs", () => {
  it("gives HEAD's branch, the branches, and the tags, an annotated one peeled", async () => {
    const { remote, main, draft, target } = repo();
    remote.branch("refs/tags/light", main);
    remote.branch("refs/tags/v1", remote.tag("v1", draft));
    remote.branch("refs/notes/commits", main);
    expect((await listRefs(target))._unsafeUnwrap()).toEqual({
      head: "main",
      branches: { draft, main },
      tags: { light: main, v1: draft },
    });
    expect(remote.served[0]?.args).toEqual([
      "peel",
      "symrefs",
      "unborn",
      "ref-prefix HEAD",
      "ref-prefix refs/heads/",
      "ref-prefix refs/tags/",
    ]);
  });

  it("gives the unborn branch of an empty repo, and null for a HEAD that names no branch", async () => {
    const remote = new MemoryRemote().serve(URL);
    remote.head = "refs/heads/trunk";
    const target = { remote: URL, token: remote.options.token };
    expect((await listRefs(target))._unsafeUnwrap()).toEqual({ head: "trunk", branches: {}, tags: {} });
    const main = remote.branch("main", remote.commit({ a: "a" }));
    remote.branch("refs/tags/v1", main);
    remote.head = "refs/tags/v1";
    expect((await listRefs(target))._unsafeUnwrap()).toEqual({ head: null, branches: { main }, tags: { v1: main } });
  });
});

describe("createBranch", () => {
  it("creates a branch at another's head with one ref update and no objects", async () => {
    const { remote, draft, target } = repo();
    expect((await createBranch(target, { name: "copy", from: "draft" }))._unsafeUnwrap()).toEqual({
      name: "copy",
      commit: draft,
    });
    expect(remote.refs.get("refs/heads/copy")).toBe(draft);
    expect(remote.updates).toEqual([`${ZERO} ${draft} refs/heads/copy`]);
  });

  it("starts from HEAD, a tag (peeled) or a commit id", async () => {
    const { remote, main, draft, target } = repo();
    remote.branch("refs/tags/v1", remote.tag("v1", draft));
    expect((await createBranch(target, { name: "h", from: "HEAD" }))._unsafeUnwrap().commit).toBe(main);
    expect((await createBranch(target, { name: "t", from: "v1" }))._unsafeUnwrap().commit).toBe(draft);
    expect((await createBranch(target, { name: "c", from: main }))._unsafeUnwrap().commit).toBe(main);
    expect(remote.refs.get("refs/heads/t")).toBe(draft);
  });

  it("is a conflict when the branch exists, and nothing changes", async () => {
    const { remote, draft, target } = repo();
    expect((await createBranch(target, { name: "draft", from: "main" }))._unsafeUnwrapErr()).toMatchObject({
      _tag: "GitError",
      reason: "conflict",
      message: `branch draft already exists (at ${draft})`,
    });
    expect(remote.updates).toEqual([]);
  });

  it("answers a start that does not exist with not-found", async () => {
    const { target } = repo();
    expect((await createBranch(target, { name: "x", from: "nope" }))._unsafeUnwrapErr()).toMatchObject({
      reason: "not-found",
      message: "no branch or tag named nope",
    });
  });

  it("passes on a refused update", async () => {
    const { remote, target } = repo();
    remote.refusal = "no new branches";
    expect((await createBranch(target, { name: "x", from: "main" }))._unsafeUnwrapErr()).toMatchObject({
      reason: "rejected",
      message: "the remote refused to update refs/heads/x: no new branches",
    });
  });
});

describe("deleteBranch", () => {
  it("deletes a branch, giving the head it had", async () => {
    const { remote, draft, target } = repo();
    expect((await deleteBranch(target, { name: "draft" }))._unsafeUnwrap()).toEqual({ name: "draft", commit: draft });
    expect(remote.refs.has("refs/heads/draft")).toBe(false);
    expect(remote.updates).toEqual([`${draft} ${ZERO} refs/heads/draft`]);
  });

  it("with parent, deletes only a branch at that head", async () => {
    const { remote, main, draft, target } = repo();
    expect((await deleteBranch(target, { name: "draft", parent: main }))._unsafeUnwrapErr()).toMatchObject({
      reason: "conflict",
      message: `branch draft is at ${draft}, not at the expected parent ${main}`,
    });
    expect(remote.refs.get("refs/heads/draft")).toBe(draft);
    expect((await deleteBranch(target, { name: "draft", parent: draft })).isOk()).toBe(true);
  });

  it("answers a branch that does not exist with not-found", async () => {
    const { target } = repo();
    expect((await deleteBranch(target, { name: "gone" }))._unsafeUnwrapErr()).toMatchObject({
      reason: "not-found",
      message: "no branch named gone",
    });
  });

  it("is a conflict when the branch moves between the look and the update, and it stays", async () => {
    const { remote, main, target } = repo();
    remote.beforePush = () => {
      remote.branch("draft", main);
    };
    expect((await deleteBranch(target, { name: "draft" }))._unsafeUnwrapErr()).toMatchObject({
      reason: "conflict",
      message: "branch draft moved while being deleted",
    });
    expect(remote.refs.get("refs/heads/draft")).toBe(main);
  });

  it("passes on a refusal when the branch did not move", async () => {
    const { remote, target } = repo();
    remote.refusal = "protected";
    expect((await deleteBranch(target, { name: "draft" }))._unsafeUnwrapErr()).toMatchObject({
      reason: "rejected",
      message: "the remote refused to update refs/heads/draft: protected",
    });
  });
});

describe("branches: names that begin another's", () => {
  it("creates `dra` beside `draft`, and will not delete `draft` for it", async () => {
    const { remote, main, draft, target } = repo();
    expect((await deleteBranch(target, { name: "dra" }))._unsafeUnwrapErr()).toMatchObject({ reason: "not-found" });
    expect((await createBranch(target, { name: "dra", from: "main" }))._unsafeUnwrap()).toEqual({
      name: "dra",
      commit: main,
    });
    expect([remote.refs.get("refs/heads/dra"), remote.refs.get("refs/heads/draft")]).toEqual([main, draft]);
  });

  it("sees a move of `dra` during its deletion, not of `draft`", async () => {
    const { remote, main, draft, target } = repo();
    remote.branch("dra", main);
    remote.beforePush = () => {
      remote.branch("dra", draft);
    };
    expect((await deleteBranch(target, { name: "dra" }))._unsafeUnwrapErr()).toMatchObject({ reason: "conflict" });
  });
});

describe("branches with a handle", () => {
  it("mints a read token to list, then one write token that serves the create, the delete and later lists", async () => {
    const { remote } = repo();
    const { handle, calls } = remote.handle(URL);
    (await listRefs(handle))._unsafeUnwrap();
    (await createBranch(handle, { name: "x", from: "main" }))._unsafeUnwrap();
    (await deleteBranch(handle, { name: "x" }))._unsafeUnwrap();
    (await listRefs(handle))._unsafeUnwrap();
    expect(calls.filter((call) => call.startsWith("createToken"))).toEqual([
      "createToken read 600",
      "createToken write 600",
    ]);
  });
});

describe("branches: their input", () => {
  const target = { remote: URL, token: new MemoryRemote().options.token };
  it.each([
    [
      { name: "HEAD", from: "main" },
      'name must be a valid branch name (letters, digits, ".", "_", "/", "-"; not HEAD)',
      "name",
    ],
    [
      { name: "a..b", from: "main" },
      'name must be a valid branch name (letters, digits, ".", "_", "/", "-"; not HEAD)',
      "name",
    ],
    [{ name: "x", from: "a b" }, "from must be a branch, a tag, a commit id or HEAD", "from"],
    [{ name: "x" }, "from must be a branch, a tag, a commit id or HEAD", "from"],
    [undefined, 'name must be a valid branch name (letters, digits, ".", "_", "/", "-"; not HEAD)', "name"],
  ])("createBranch refuses %j before any request", async (input, message, field) => {
    const remote = new MemoryRemote().serve(URL);
    const refused = await createBranch(target, input as { name: string; from: string });
    expect(refused._unsafeUnwrapErr()).toMatchObject({ _tag: "InvalidInputError", message, field });
    expect(remote.requests).toEqual([]);
  });

  it.each([
    [{ name: "HEAD" }, 'name must be a valid branch name (letters, digits, ".", "_", "/", "-"; not HEAD)', "name"],
    [{ name: "x", parent: "main" }, "parent must be a commit id (40 lowercase hex)", "parent"],
    [undefined, 'name must be a valid branch name (letters, digits, ".", "_", "/", "-"; not HEAD)', "name"],
  ])("deleteBranch refuses %j before any request", async (input, message, field) => {
    const remote = new MemoryRemote().serve(URL);
    const refused = await deleteBranch(target, input as { name: string });
    expect(refused._unsafeUnwrapErr()).toMatchObject({ _tag: "InvalidInputError", message, field });
    expect(remote.requests).toEqual([]);
  });
});

describe("branches: a request that gets no answer", () => {
  it.each([
    ["listRefs", (target: { remote: string; token: string }) => listRefs(target)],
    ["createBranch", (target: { remote: string; token: string }) => createBranch(target, { name: "x", from: "main" })],
    ["deleteBranch", (target: { remote: string; token: string }) => deleteBranch(target, { name: "draft" })],
  ])("ends %s with that failure, whichever request it was", async (_, run) => {
    const outcomes = await withEachRequestFailing(() => {
      const { remote, target } = repo();
      return { remote, call: async () => await run(target) };
    });
    expect(outcomes.length).toBeGreaterThan(1);
    for (const outcome of outcomes) expect(outcome).toMatch(/^\d+ (GET|POST) \S+: TransportError network$/);
  });

  it("deleteBranch: a look after a refused update that gets no answer ends the call with that failure", async () => {
    // As every call does for whichever request gets no answer: whether the branch moved is not known.
    const { remote, target } = repo();
    remote.refusal = "protected";
    remote.failOn = (_, count) => (count === 4 ? "network" : undefined);
    expect((await deleteBranch(target, { name: "draft" }))._unsafeUnwrapErr()).toMatchObject({
      _tag: "TransportError",
      reason: "network",
    });
    expect(remote.requests).toHaveLength(4);
  });

  it("deleteBranch: a refusal of a branch that did not move is the remote's, with its reason", async () => {
    const { remote, target } = repo();
    remote.refusal = "protected";
    expect((await deleteBranch(target, { name: "draft" }))._unsafeUnwrapErr()).toMatchObject({
      _tag: "GitError",
      reason: "rejected",
      message: expect.stringContaining("protected"),
    });
  });
});
