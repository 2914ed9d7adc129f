import { describe, expect, it } from "vitest";
import { objectId } from "../../../src/git/objects/hash.js";
import { encodeCommit, encodeTag, ObjectStore, stripspace } from "../../../src/git/objects/store.js";
import { writePack } from "../../../src/git/wire/pack.js";
import { readPack } from "../../../src/git/wire/pack-reader.js";
import { MemoryRemote } from "../../support/memory-remote.js";

const LIMITS = { maxTotalBytes: 64 * 1024 * 1024 };

/**
 * The call's object store (objects.ts): packs as fetched, objects as written, both read back the same way, a pack
 * of any of them for a push; and a commit's bytes as git writes them.
 */

const person = { name: "Ada", email: "ada@example.com", timestamp: 1_767_225_600, timezoneOffset: 0 };
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

describe("encodeCommit", () => {
  it("writes tree, parents, author, committer, a blank line and the message", () => {
    const bytes = encodeCommit({
      tree: TREE,
      parents: ["1".repeat(40), "2".repeat(40)],
      author: person,
      committer: { ...person, name: "Bot", timestamp: 1_767_225_660 },
      message: "Subject\n\nBody",
    });
    expect(decode(bytes)).toBe(
      `tree ${TREE}\nparent ${"1".repeat(40)}\nparent ${"2".repeat(40)}\n` +
        "author Ada <ada@example.com> 1767225600 +0000\ncommitter Bot <ada@example.com> 1767225660 +0000\n\nSubject\n\nBody\n",
    );
  });

  it("cleans the message as git does: no carriage returns, no leading newlines, exactly one at the end", () => {
    const message = (text: string) =>
      decode(encodeCommit({ tree: TREE, parents: [], author: person, committer: person, message: text })).split(
        "\n\n",
      )[1];
    expect(message("\n\nline\r\nnext\n\n\n")).toBe("line\nnext\n");
  });

  it.each([
    [0, "+0000"],
    [-0, "-0000"],
    [-120, "+0200"],
    [330, "-0530"],
    [-765, "+1245"],
    [60, "-0100"],
  ])("writes the zone of offset %d as %s", (timezoneOffset, zone) => {
    const bytes = encodeCommit({
      tree: TREE,
      parents: [],
      author: { ...person, timezoneOffset },
      committer: person,
      message: "m",
    });
    expect(decode(bytes).split("\n")[1]).toBe(`author Ada <ada@example.com> 1767225600 ${zone}`);
  });
});

describe("encodeTag", () => {
  // Captured from git 2.39: `git tag -a v1.0 -m $'First release\r\n\n\nnotes  \n'` on 0b8fda71…, the tagger's
  // date "1767225600 +0200"; `git cat-file tag v1.0` and `git rev-parse v1.0`.
  const object = "0b8fda71719188225e113b4e11994846995509db";
  const tagger = { ...person, timezoneOffset: -120 };

  it("writes the bytes and the id git writes for `git tag -a -m`", () => {
    const bytes = encodeTag({ object, tag: "v1.0", tagger, message: "First release\r\n\n\nnotes  \n" });
    expect(decode(bytes)).toBe(
      `object ${object}\ntype commit\ntag v1.0\ntagger Ada <ada@example.com> 1767225600 +0200\n\nFirst release\n\nnotes\n`,
    );
    expect(objectId("tag", bytes)).toBe("2bead9eb3d7b46500f53209a7bb5260abdf7e5ad");
  });

  it("keeps an empty message empty, as `git tag -a -m ' '` does", () => {
    expect(decode(encodeTag({ object, tag: "v", tagger, message: "  \n" })).endsWith("+0200\n\n")).toBe(true);
  });
});

describe("stripspace", () => {
  it("drops trailing whitespace, leading and trailing blank lines, and makes a run of blank lines one", () => {
    expect(stripspace("\n\n  a \t\r\n\n\n\nb\n\n")).toBe("  a\n\nb\n");
  });

  it("keeps lines starting with #, as git's --cleanup=whitespace does (its default would drop them)", () => {
    expect(stripspace("#12 fix  \n\n\n  body\t\n#c")).toBe("#12 fix\n\n  body\n#c\n");
  });

  it("leaves nothing of whitespace alone", () => {
    expect(stripspace(" \n\t\n")).toBe("");
  });
});

describe("ObjectStore", () => {
  it("holds nothing of no objects, and every object of a fetched pack", async () => {
    const remote = new MemoryRemote();
    const blob = remote.blob("a\n");
    const tree = remote.tree([{ mode: "100644", name: "a.txt", oid: blob }]);
    const commit = remote.commit(tree);
    const store = new ObjectStore();
    expect(store.add(new Map())).toEqual([]);
    expect(store.has(blob)).toBe(false);
    expect(store.add(await readPack(remote.pack([commit, tree, blob]), LIMITS)).sort()).toEqual(
      [blob, commit, tree].sort(),
    );
    expect([store.has(blob), store.has(tree), store.has(commit)]).toEqual([true, true, true]);
    expect(await store.tree(tree)).toEqual([{ mode: "100644", name: "a.txt", oid: blob }]);
    expect(await store.commitTree(commit)).toBe(tree);
    expect(await store.parents(commit)).toEqual([]);
    expect(decode(await store.blob(blob))).toBe("a\n");
  });

  it("reads a second pack beside the first", async () => {
    const remote = new MemoryRemote();
    const one = remote.blob("one");
    const two = remote.blob("two");
    const store = new ObjectStore();
    store.add(await readPack(remote.pack([one]), LIMITS));
    store.add(await readPack(remote.pack([two]), LIMITS));
    expect([decode(await store.blob(one)), decode(await store.blob(two))]).toEqual(["one", "two"]);
  });

  it("refuses to read a fetched object that is not a tree as one", async () => {
    const remote = new MemoryRemote();
    const blob = remote.blob("a\n");
    const store = new ObjectStore();
    store.add(await readPack(remote.pack([blob]), LIMITS));
    await expect(store.tree(blob)).rejects.toThrow(`object ${blob} is a blob, not a tree`);
  });

  it("reads what it wrote: ids as git computes them, a commit's tree and parents", async () => {
    const remote = new MemoryRemote();
    const store = new ObjectStore();
    const blob = await store.writeBlob(new TextEncoder().encode("a\n"));
    expect(blob).toBe(remote.blob("a\n"));
    const tree = await store.writeTree([{ mode: "100644", name: "a.txt", oid: blob }]);
    expect(tree).toBe(remote.tree([{ mode: "100644", name: "a.txt", oid: blob }]));
    const parents = ["1".repeat(40), "2".repeat(40)];
    const commit = await store.writeCommit({ tree, parents, author: person, committer: person, message: "m" });
    expect(await store.commitTree(commit)).toBe(tree);
    expect(await store.parents(commit)).toEqual(parents);
    expect(await store.tree(tree)).toEqual([{ mode: "100644", name: "a.txt", oid: blob }]);
  });

  it("packs written and fetched objects alike, once each, in a pack another store reads", async () => {
    const remote = new MemoryRemote();
    const fetched = remote.blob("fetched");
    const store = new ObjectStore();
    store.add(await readPack(remote.pack([fetched]), LIMITS));
    const own = await store.writeBlob(new TextEncoder().encode("own"));
    const pack = await writePack(store.pack([own, fetched, own]));
    const other = new ObjectStore();
    expect(other.add(await readPack(pack, LIMITS)).sort()).toEqual([fetched, own].sort());
    expect(decode(await other.blob(fetched))).toBe("fetched");
  });

  it("packs a tag object it wrote, read back by another store as the tag of its commit", async () => {
    const store = new ObjectStore();
    const commit = await store.writeCommit({
      tree: TREE,
      parents: [],
      author: person,
      committer: person,
      message: "m",
    });
    const tag = await store.writeTag({ object: commit, tag: "v1", tagger: person, message: "v1" });
    const other = new ObjectStore();
    expect(other.add(await readPack(await writePack(store.pack([tag])), LIMITS))).toEqual([tag]);
    const [read] = other.pack([tag]);
    expect(read?.type).toBe("tag");
    expect(decode(read?.content as Uint8Array)).toMatch(new RegExp(`^object ${commit}\ntype commit\ntag v1\n`));
  });
});
