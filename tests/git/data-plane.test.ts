import { beforeEach, describe, expect, it } from "vitest";
import {
  commitFiles,
  createBranch,
  deleteBranch,
  diffRefs,
  listRefs,
  mergeRefs,
  readFiles,
} from "../../src/git/index.js";
import { flows, ids, REMOTE_URL, replay, TOKEN } from "../support/git-wire.js";

/**
 * Whole calls on a token (`{ remote, token }`), replayed from captured Git exchanges: every request the call makes,
 * in order and byte for byte (the commit, the tree and the pack it pushes included), and what it makes of the
 * answers. No server, no git binary; the same calls run against real remotes in the integration suites.
 */

const second = ids.second;
/** A target of its own for each test: what one keeps (capabilities, objects) must not answer for another's replay. */
let target = { remote: REMOTE_URL, token: TOKEN };
beforeEach(() => {
  target = { remote: REMOTE_URL, token: TOKEN };
});
const author = { name: "Ada", email: "ada@example.com", timestamp: 1_767_225_660, timezoneOffset: 0 };
const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);
/** Each request as `<method> <last path part>`: `GET refs` (an advertisement), `POST git-upload-pack`, … */
const sent = (requests: Request[]) =>
  requests.map((request) => `${request.method} ${new URL(request.url).pathname.split("/").pop()}`);
const UPLOAD = "POST git-upload-pack";

describe("commitFiles on a token", () => {
  it("commits one new file in four round trips: capabilities, the head, its commit and root tree, one pushed pack", async () => {
    const { requests } = replay(...flows["commit of one new file"]!);
    const made = (
      await commitFiles(target, { message: "second", author, files: { "docs/b.txt": "beta\n" } })
    )._unsafeUnwrap();
    expect(made).toEqual({
      commit: second,
      parent: ids.commit,
      tree: expect.stringMatching(/^[0-9a-f]{40}$/),
      branch: "main",
      unchanged: false,
    });
    // No receive-pack advertisement: upload-pack's ls-refs names the head the push replaces.
    expect(sent(requests)).toEqual(["GET refs", UPLOAD, UPLOAD, "POST git-receive-pack"]);
  });

  it("answers a stale parent with a conflict, before pushing anything", async () => {
    replay(...flows["commit on a stale parent"]!);
    const late = await commitFiles(target, { message: "late", author, files: { "c.txt": "c" }, parent: ids.commit });
    expect(late._unsafeUnwrapErr()).toMatchObject({ _tag: "GitError", reason: "conflict" });
  });
});

describe("readFiles on a token", () => {
  it("reads one file: the commit and root tree, the one folder on its path, then the blob by id", async () => {
    const { requests } = replay(...flows["read of one file"]!);
    const read = (await readFiles(target, { paths: ["docs/b.txt"] }))._unsafeUnwrap();
    expect(read.commit).toBe(second);
    expect([...read.files.keys()]).toEqual(["docs/b.txt"]);
    expect(text(read.files.get("docs/b.txt"))).toBe("beta\n");
    expect(read.nonUtf8Files).toEqual([]);
    expect(requests).toHaveLength(5);
  });

  it("reads the whole head in one fetch", async () => {
    const { requests } = replay(...flows["read of the whole head"]!);
    const read = (await readFiles(target))._unsafeUnwrap();
    expect(Object.fromEntries([...read.files].map(([path, bytes]) => [path, text(bytes)]))).toEqual({
      "a.txt": "alpha\n",
      "docs/b.txt": "beta\n",
    });
    expect(requests).toHaveLength(3);
  });
});

describe("refs, branches, diff and merge on a token", () => {
  const third = { ...author, timestamp: 1_767_225_720 };

  it("lists the refs: HEAD's branch, branches and tags with their commits", async () => {
    replay(...flows["list of refs"]!);
    expect((await listRefs(target))._unsafeUnwrap()).toEqual({ head: "main", branches: { main: second }, tags: {} });
  });

  it("diffs two commits, reading only the trees that differ, with a unified diff", async () => {
    const { requests, unmatched } = replay(...flows["diff of two commits"]!);
    const diff = (await diffRefs(target, { from: ids.commit, to: second, contents: true }))._unsafeUnwrap();
    expect(unmatched).toEqual([]);
    // Capabilities; both commits with their root trees; the one folder that differs, both sides; the blob.
    expect(sent(requests)).toEqual(["GET refs", UPLOAD, UPLOAD, UPLOAD]);
    expect(diff.from).toBe(ids.commit);
    expect(diff.to).toBe(second);
    expect(diff.changes).toMatchObject([{ status: "added", path: "docs/b.txt" }]);
    expect(JSON.stringify(diff.changes[0])).toContain("+beta");
  });

  it("creates a branch at another's head, and deletes it", async () => {
    const created = replay(...flows["branch created"]!);
    expect((await createBranch(target, { name: "draft", from: "main" }))._unsafeUnwrap()).toEqual({
      name: "draft",
      commit: second,
    });
    // Whether it exists and what `from` names, in one ls-refs.
    expect(sent(created.requests)).toEqual(["GET refs", UPLOAD, "POST git-receive-pack"]);
    // Capabilities kept from the call before.
    const deleted = replay(...flows["branch deleted"]!.slice(1));
    expect((await deleteBranch(target, { name: "draft" }))._unsafeUnwrap()).toEqual({ name: "draft", commit: second });
    expect(sent(deleted.requests)).toEqual([UPLOAD, "POST git-receive-pack"]);
  });

  it("merges three ways: a merge commit on both heads, pushed", async () => {
    const { requests, unmatched } = replay(...flows["three-way merge"]!);
    const merged = (
      await mergeRefs(target, { from: "side", into: "main", author: third, message: "merge side" })
    )._unsafeUnwrap();
    expect(unmatched).toEqual([]);
    // Capabilities once; both heads in one ls-refs; the history to the base; the three root trees (all the merge
    // reads: the files are at the root); the push.
    expect(sent(requests)).toEqual(["GET refs", UPLOAD, UPLOAD, UPLOAD, "POST git-receive-pack"]);
    expect(merged.parents).toHaveLength(2);
    expect(merged.fastForward).toBe(false);
    expect(merged.changed).toEqual(["s.txt"]);
  });

  it("reports a conflict with both sides' bytes, and pushes nothing", async () => {
    const { requests, unmatched } = replay(...flows["merge that conflicts"]!);
    const clash = (await mergeRefs(target, { from: "clash", into: "main", author: third }))._unsafeUnwrapErr();
    expect(unmatched).toEqual([]);
    expect(clash._tag).toBe("MergeConflict");
    expect(clash).toMatchObject({ conflicts: [{ path: "a.txt" }] });
    expect(requests.some((request) => request.url.endsWith("/git-receive-pack"))).toBe(false);
  });
});
