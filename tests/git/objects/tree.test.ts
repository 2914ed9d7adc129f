import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyChanges, TreeConflict } from "../../../src/git/objects/edit.js";
import { ObjectStore } from "../../../src/git/objects/store.js";
import {
  compareEntries,
  decodeUtf8,
  EMPTY_TREE,
  encodeTree,
  fromUtf8,
  kindOf,
  parseTree,
  type TreeEntry,
  TreeFormatError,
  toByteString,
} from "../../../src/git/objects/tree.js";

/**
 * Tree objects byte for byte. The captured tree was written by `git mktree` (git 2.39): a blob, a folder, an
 * executable, a backslash name, a legacy `100664`, a symlink, a Latin-1 (not UTF-8) name and a submodule.
 */
const BLOB = "c1b0730e0133447badcfd47fd144e254807b06e1";
const CAPTURED_ID = "35110b4622458f16c498747bdad0f6d30a2b9295";
const CAPTURED = Buffer.from(
  "31303036343420612e74787400c1b0730e0133447badcfd47fd144e254807b06e134303030302061004b825dc642cb6eb9a060e54bf8d69288fbee490431303037353520613000c1b0730e0133447badcfd47fd144e254807b06e131303036343420666f6f5c62617200c1b0730e0133447badcfd47fd144e254807b06e1313030363634206c656761637900c1b0730e0133447badcfd47fd144e254807b06e1313230303030206c696e6b00c1b0730e0133447badcfd47fd144e254807b06e13130303634342072e973756de900c1b0730e0133447badcfd47fd144e254807b06e131363030303020737562001234567890abcdef1234567890abcdef12345678",
  "hex",
);
const CAPTURED_ENTRIES: TreeEntry[] = [
  { mode: "100644", name: "a.txt", oid: BLOB },
  { mode: "40000", name: "a", oid: "4b825dc642cb6eb9a060e54bf8d69288fbee4904" },
  { mode: "100755", name: "a0", oid: BLOB },
  { mode: "100644", name: "foo\\bar", oid: BLOB },
  { mode: "100664", name: "legacy", oid: BLOB },
  { mode: "120000", name: "link", oid: BLOB },
  { mode: "100644", name: "r\xe9sum\xe9", oid: BLOB },
  { mode: "160000", name: "sub", oid: "1234567890abcdef1234567890abcdef12345678" },
];

describe("parseTree and encodeTree", () => {
  it("parse git's bytes into entries with names as bytes, and write them back identical", () => {
    expect(parseTree(CAPTURED)).toEqual(CAPTURED_ENTRIES);
    expect(Buffer.from(encodeTree(CAPTURED_ENTRIES)).equals(CAPTURED)).toBe(true);
    // In any order given: Git's order is the encoder's.
    expect(Buffer.from(encodeTree([...CAPTURED_ENTRIES].reverse())).equals(CAPTURED)).toBe(true);
  });

  it("hash to git's id when stored", async () => {
    const store = new ObjectStore();
    expect(await store.writeTree(CAPTURED_ENTRIES)).toBe(CAPTURED_ID);
    expect(await store.tree(CAPTURED_ID)).toEqual(CAPTURED_ENTRIES);
  });

  it("sort a folder as if its name ended in /, bytes compared unsigned", () => {
    const entry = (name: string, mode = "100644") => ({ mode, name, oid: BLOB });
    const sorted = [entry("a0"), entry("a", "40000"), entry("a.txt"), entry("\xff"), entry("a-b"), entry("Z")].sort(
      compareEntries,
    );
    expect(sorted.map((e) => e.name)).toEqual(["Z", "a-b", "a.txt", "a", "a0", "\xff"]);
  });

  it("refuse malformed bytes with a TreeFormatError", () => {
    for (const bad of [
      CAPTURED.subarray(0, CAPTURED.length - 1), // a truncated id
      Buffer.from("100644 name-without-nul"),
      Buffer.concat([Buffer.from("10x644 a\0"), Buffer.alloc(20)]),
      Buffer.concat([Buffer.from("1006440 a\0"), Buffer.alloc(20)]),
    ]) {
      expect(() => parseTree(bad)).toThrow(TreeFormatError);
    }
    expect(parseTree(new Uint8Array())).toEqual([]);
  });

  it("say where the bytes go wrong", () => {
    const entry = Buffer.concat([Buffer.from("100644 a\0"), Buffer.alloc(20, 1)]);
    const at = (bytes: Buffer) => {
      try {
        parseTree(bytes);
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(at(Buffer.concat([entry, Buffer.from("100644")]))).toBe("truncated tree entry at byte 29"); // no space
    expect(at(Buffer.concat([entry, Buffer.from("100644 b")]))).toBe("truncated tree entry at byte 29"); // no NUL
    expect(at(Buffer.concat([entry, Buffer.from("100644 b\0"), Buffer.alloc(19)]))).toBe(
      "truncated tree entry at byte 29",
    );
    expect(at(Buffer.concat([entry, Buffer.from("1006 b\0"), Buffer.alloc(20)]))).toBe("malformed mode at byte 29");
    expect(at(Buffer.concat([Buffer.from("\0 a"), Buffer.alloc(22)]))).toBe("malformed mode at byte 0");
    // A NUL before the space is part of the mode, not the end of a name.
    expect(at(Buffer.concat([Buffer.from("1"), Buffer.alloc(1), Buffer.from("644 a"), Buffer.alloc(21)]))).toBe(
      "malformed mode at byte 0",
    );
    expect(parseTree(Buffer.concat([entry, entry]))).toHaveLength(2);
  });

  it("compare entries as Git does: equal names equal, folders with their slash", () => {
    const file = (name: string) => ({ mode: "100644", name, oid: BLOB });
    const folder = (name: string) => ({ mode: "40000", name, oid: BLOB });
    expect(compareEntries(file("a"), file("a"))).toBe(0);
    expect(compareEntries(folder("a"), folder("a"))).toBe(0);
    expect(compareEntries(file("a"), file("b"))).toBe(-1);
    expect(compareEntries(file("b"), file("a"))).toBe(1);
    expect(compareEntries(folder("a"), file("a.txt"))).toBe(1); // "a/" > "a."
    expect(compareEntries(file("a.txt"), folder("a"))).toBe(-1);
    expect(compareEntries(folder("a"), file("a"))).toBe(1); // "a/" > "a"
    expect(compareEntries(file("a"), folder("a"))).toBe(-1);
    expect(compareEntries(folder("a"), file("a0"))).toBe(-1); // "/" < "0"
  });

  it("round-trip any entries: names of any bytes but NUL and /", () => {
    const name = fc
      .uint8Array({ minLength: 1, maxLength: 12 })
      .map((bytes) => toByteString(bytes.map((byte) => (byte === 0 || byte === 0x2f ? 0x61 : byte))));
    const entry = fc.record({
      mode: fc.constantFrom("100644", "100755", "100664", "120000", "160000", "40000"),
      name,
      oid: fc.uint8Array({ minLength: 20, maxLength: 20 }).map((bytes) => Buffer.from(bytes).toString("hex")),
    });
    fc.assert(
      fc.property(fc.uniqueArray(entry, { selector: (e) => e.name, maxLength: 20 }), (entries) => {
        const encoded = encodeTree(entries);
        const parsed = parseTree(encoded);
        expect(parsed).toEqual([...entries].sort(compareEntries));
        expect(Buffer.from(encodeTree(parsed)).equals(Buffer.from(encoded))).toBe(true);
      }),
    );
  });
});

describe("names as bytes", () => {
  it("decode only valid UTF-8, one-to-one (a leading BOM kept)", () => {
    expect(decodeUtf8(fromUtf8("données/été ☀.txt"))).toBe("données/été ☀.txt");
    expect(decodeUtf8(fromUtf8("\ufeffbom"))).toBe("\ufeffbom");
    expect(decodeUtf8("r\xe9sum\xe9")).toBeUndefined();
    expect(decodeUtf8("\xc3")).toBeUndefined();
  });

  it("know an entry's kind from its mode's type bits", () => {
    expect(["40000", "040000", "100644", "100664", "100755", "120000", "160000"].map(kindOf)).toEqual([
      "tree",
      "tree",
      "blob",
      "blob",
      "blob",
      "symlink",
      "gitlink",
    ]);
  });
});

describe("applyChanges", () => {
  async function seeded() {
    const store = new ObjectStore();
    const docs = await store.writeTree(CAPTURED_ENTRIES);
    const root = await store.writeTree([
      { mode: "40000", name: "docs", oid: docs },
      { mode: "100644", name: "README", oid: BLOB },
    ]);
    const blob = await store.writeBlob(new TextEncoder().encode("new"));
    return { store, docs, root, blob };
  }

  it("rewrites only the trees on the changed path, every other entry byte for byte", async () => {
    const { store, docs, root, blob } = await seeded();
    const written: string[] = [];
    const tree = await applyChanges(store, root, new Map([[fromUtf8("docs/new.txt"), blob]]), written);
    expect(written).toHaveLength(2);
    const newDocs = (await store.tree(tree)).find((entry) => entry.name === "docs");
    expect(newDocs).toMatchObject({ mode: "40000", name: "docs" });
    expect(await store.tree(newDocs?.oid as string)).toEqual(
      [...CAPTURED_ENTRIES, { mode: "100644", name: "new.txt", oid: blob }].sort(compareEntries),
    );
    expect(await store.tree(tree)).toContainEqual({ mode: "100644", name: "README", oid: BLOB });
    expect(docs).not.toBe(newDocs?.oid);
  });

  it("gives new content a regular file's mode, unless the file was executable; same content changes nothing", async () => {
    const { store, docs, blob } = await seeded();
    const changes = new Map<string, string | null>([
      ["legacy", blob],
      ["link", blob],
      ["a0", blob],
      ["sub", blob],
      ["a.txt", BLOB],
    ]);
    const entries = await store.tree(await applyChanges(store, docs, changes, []));
    const modes = Object.fromEntries(entries.map((entry) => [entry.name, entry.mode]));
    expect(modes).toMatchObject({ legacy: "100644", link: "100644", a0: "100755", sub: "100644", "a.txt": "100644" });
    const unchanged: string[] = [];
    expect(
      await applyChanges(
        store,
        docs,
        new Map([
          ["legacy", BLOB],
          ["nothing-here", null],
          ["gone/x", null],
        ]),
        unchanged,
      ),
    ).toBe(docs);
    expect(unchanged).toEqual([]);
  });

  it("deletes files and folders, drops emptied folders, and refuses a file below a file", async () => {
    const { store, root } = await seeded();
    const emptied = await applyChanges(
      store,
      root,
      new Map([
        ["docs", null],
        ["README", null],
      ]),
      [],
    );
    expect(emptied).toBe("4b825dc642cb6eb9a060e54bf8d69288fbee4904");
    await expect(applyChanges(store, root, new Map([["README/x", BLOB]]), [])).rejects.toThrow(TreeConflict);
    await expect(applyChanges(store, root, new Map([["docs", BLOB]]), [])).rejects.toThrow('"docs" is a folder');
    await expect(applyChanges(store, root, new Map([["docs/sub/x", BLOB]]), [])).rejects.toThrow(
      '"docs/sub" is a file',
    );
  });

  it("writes the empty tree once for a commit that empties the root, and keeps a zero-padded folder mode", async () => {
    const { store, root, blob } = await seeded();
    const written: string[] = [];
    expect(
      await applyChanges(
        store,
        root,
        new Map([
          ["docs", null],
          ["README", null],
        ]),
        written,
      ),
    ).toBe(EMPTY_TREE);
    expect(written).toEqual([EMPTY_TREE]);
    const first: string[] = [];
    expect(await applyChanges(store, undefined, new Map(), first)).toBe(EMPTY_TREE);
    expect(first).toEqual([EMPTY_TREE]);

    const padded = await store.writeTree([
      { mode: "040000", name: "old", oid: await store.writeTree([{ mode: "100644", name: "f", oid: BLOB }]) },
    ]);
    const edited = await applyChanges(store, padded, new Map([["old/g", blob]]), []);
    expect(await store.tree(edited)).toMatchObject([{ mode: "040000", name: "old" }]);
  });

  it("deletes a folder's last file, which deletes the folder, and nothing else", async () => {
    const { store, blob } = await seeded();
    const base = await applyChanges(
      store,
      undefined,
      new Map([
        ["a/only", blob],
        ["keep", blob],
      ]),
      [],
    );
    const written: string[] = [];
    const after = await applyChanges(store, base, new Map([["a/only", null]]), written);
    expect((await store.tree(after)).map((entry) => entry.name)).toEqual(["keep"]);
    expect(written).toEqual([after]);
    // Deleting what is not there changes nothing: the same tree, nothing written.
    const none: string[] = [];
    expect(
      await applyChanges(
        store,
        base,
        new Map([
          ["a/missing", null],
          ["b/c", null],
        ]),
        none,
      ),
    ).toBe(base);
    expect(none).toEqual([]);
  });

  it("shows a path that is not UTF-8 as its bytes in a conflict", async () => {
    const { store, blob } = await seeded();
    const base = await applyChanges(store, undefined, new Map([["caf\xe9", blob]]), []);
    await expect(applyChanges(store, base, new Map([["caf\xe9/x", blob]]), [])).rejects.toThrow(
      '"caf\xe9" is a file: delete it (null) in the same commit to make it a folder',
    );
  });
});
