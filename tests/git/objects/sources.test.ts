import { describe, expect, it } from "vitest";
import { objectId } from "../../../src/git/objects/hash.js";
import {
  type ArtifactsRepoHandle,
  bindingSource,
  type CommitFields,
  restSource,
  verifiedCommit,
} from "../../../src/git/objects/sources.js";
import { createClient } from "../../../src/index.js";

/**
 * A commit's tree is trusted from a source only when the fields rebuild the commit's own id. The commits below were
 * made by git 2.39 (ids captured): author and committer in the timezones of their names, message "subject …\n\nbody
 * line\n". The binding gives no timezone and strips the message's last newline.
 */
const TREE = "4d593e935186bcc35450336864a1aad148210a14";
const person = { name: "Ada Agent", email: "ada@example.com" };
const fields = (parents: string[], message: string, zones: [string | undefined, string | undefined]): CommitFields => ({
  tree: TREE,
  parents,
  author: { ...person, timestamp: 1_764_000_000, timezone: zones[0] },
  committer: { ...person, timestamp: 1_764_000_100, timezone: zones[1] },
  message,
});
const SAME_ZONE = "e475617237888c6e4ee3aa3673f7fc1d3eb8c411"; // +0530 / +0530, a root commit
const HOURS_APART = "b3400dfbda1a4fd2bfc48c0ab9c358e9fbb1a3cc"; // +0100 / -0800
const ODD_PAIR = "5b7575b3825b1b47616a49d73dfbc9839c162e25"; // +0530 / -0800

/** The commit rebuilt, as the id it hashes to (undefined when the fields do not rebuild it). */
const rebuilt = async (oid: string, fields: Parameters<typeof verifiedCommit>[1]) => {
  const bytes = await verifiedCommit(oid, fields);
  return bytes && (await objectId("commit", bytes));
};

describe("verifiedCommit", () => {
  it("gives the commit's bytes where its fields rebuild it, timezones given or found", async () => {
    const message = "subject +0530 +0530\n\nbody line";
    expect(await rebuilt(SAME_ZONE, fields([], `${message}\n`, ["+0530", "+0530"]))).toBe(SAME_ZONE);
    // As the binding gives it: no timezone, the last newline stripped.
    expect(await rebuilt(SAME_ZONE, fields([], message, [undefined, undefined]))).toBe(SAME_ZONE);
    const apart = fields([SAME_ZONE], "subject +0100 -0800\n\nbody line", [undefined, undefined]);
    expect(await rebuilt(HOURS_APART, apart)).toBe(HOURS_APART);
    const oneKnown = fields([HOURS_APART], "subject +0530 -0800\n\nbody line", ["+0530", undefined]);
    expect(await rebuilt(ODD_PAIR, oneKnown)).toBe(ODD_PAIR);
  });

  it("trusts nothing that does not rebuild: another tree, parent, message or time, or an unlisted pair", async () => {
    const good = fields([], "subject +0530 +0530\n\nbody line", [undefined, undefined]);
    expect(await verifiedCommit(SAME_ZONE, { ...good, tree: "0".repeat(40) })).toBeUndefined();
    expect(await verifiedCommit(SAME_ZONE, { ...good, parents: [HOURS_APART] })).toBeUndefined();
    expect(await verifiedCommit(SAME_ZONE, { ...good, message: "subject" })).toBeUndefined();
    expect(await verifiedCommit(SAME_ZONE, { ...good, author: { ...good.author, timestamp: 1 } })).toBeUndefined();
    // Half-hour and whole-hour zones that differ are not searched: such a commit takes the next source.
    const odd = fields([HOURS_APART], "subject +0530 -0800\n\nbody line", [undefined, undefined]);
    expect(await verifiedCommit(ODD_PAIR, odd)).toBeUndefined();
  });
});

describe("objectId", () => {
  it("hashes as git does", async () => {
    expect(await objectId("blob", new TextEncoder().encode("x\n"))).toBe("587be6b4c3f93f93c489c0111bba5596147a26cb");
    expect(await objectId("tree", new Uint8Array())).toBe("4b825dc642cb6eb9a060e54bf8d69288fbee4904");
  });
});

describe("bindingSource and restSource: reading loosely, refusing what is malformed", () => {
  const oid = "a".repeat(40);
  const tree = "b".repeat(40);
  const who = { name: "Ada", email: "ada@example.com" };
  const bindingCommit = {
    hash: oid,
    treeHash: tree,
    parents: [SAME_ZONE],
    message: "m",
    author: who,
    committer: who,
    authoredAt: 1_764_000_000,
    committedAt: 1_764_000_100,
  };
  const handle = (reads: Partial<ArtifactsRepoHandle>): ArtifactsRepoHandle => ({
    info: async () => ({ remote: "https://x/r.git" }),
    createToken: async () => ({ id: "t", plaintext: "p" }),
    revokeToken: async () => true,
    ...reads,
  });

  it("reads the binding's commit: treeHash, parents, seconds and no timezone", async () => {
    const source = bindingSource(handle({ readCommit: async () => bindingCommit }));
    expect(source.name).toBe("the binding");
    expect(await source.commit(oid)).toEqual({
      tree,
      parents: [SAME_ZONE],
      message: "m",
      author: { ...who, timestamp: 1_764_000_000, timezone: undefined },
      committer: { ...who, timestamp: 1_764_000_100, timezone: undefined },
    });
  });

  it("reads the REST shape: tree, ISO dates with their offsets", async () => {
    const source = bindingSource(
      handle({
        readCommit: async () => ({
          tree,
          parent_hashes: [],
          message: "m\n",
          author: { ...who, date: "2026-11-24T18:40:00+02:00" },
          committer: { ...who, timestamp: "2026-11-24T16:40:00Z" },
        }),
      }),
    );
    expect(await source.commit(oid)).toEqual({
      tree,
      parents: [],
      message: "m\n",
      author: { ...who, timestamp: 1_795_538_400, timezone: "+0200" },
      committer: { ...who, timestamp: 1_795_538_400, timezone: "+0000" },
    });
  });

  it.each([
    ["null", null],
    ["an array", [bindingCommit]],
    ["a short tree id", { ...bindingCommit, treeHash: "abc" }],
    ["parents not a list", { ...bindingCommit, parents: SAME_ZONE }],
    ["a parent not an id", { ...bindingCommit, parents: ["x"] }],
    ["no message", { ...bindingCommit, message: undefined }],
    ["an author without email", { ...bindingCommit, author: { name: "Ada" } }],
    ["a committer without a time", { ...bindingCommit, committedAt: undefined }],
    ["a time that is not whole seconds", { ...bindingCommit, authoredAt: 1.5 }],
    [
      "a date without an offset",
      { ...bindingCommit, authoredAt: undefined, author: { ...who, date: "2026-11-24T18:40:00" } },
    ],
    ["a date that does not parse", { ...bindingCommit, authoredAt: undefined, author: { ...who, date: "soon+02:00" } }],
  ])("gives no commit for %s", async (_, answer) => {
    expect(await bindingSource(handle({ readCommit: async () => answer })).commit(oid)).toBeUndefined();
  });

  it("reads tree entries by any of their names, and writes ls-tree's 040000 as Git stores it", async () => {
    const source = bindingSource(
      handle({
        readTree: async () => [
          { name: "a.txt", mode: "100644", hash: oid, type: "blob" },
          { path: "docs", mode: "040000", oid: tree },
          { name: "é", mode: "100755", sha: oid },
          { name: "link", mode: "120000", id: oid },
        ],
      }),
    );
    expect(await source.tree(tree)).toEqual([
      { name: "a.txt", mode: "100644", oid },
      { name: "docs", mode: "40000", oid: tree },
      { name: "\u00c3\u00a9", mode: "100755", oid },
      { name: "link", mode: "120000", oid },
    ]);
  });

  it.each([
    ["not a list", { entries: [] }],
    ["an entry without a name", [{ mode: "100644", hash: oid }]],
    ["an entry without an id", [{ name: "a", mode: "100644" }]],
    ["a mode that is not octal", [{ name: "a", mode: "100644x", hash: oid }]],
    ["a mode without digits", [{ name: "a", mode: "", hash: oid }]],
    ["an entry that is not an object", ["a"]],
  ])("gives no tree for %s", async (_, answer) => {
    expect(await bindingSource(handle({ readTree: async () => answer })).tree(tree)).toBeUndefined();
  });

  it("reads a blob's bytes, and gives nothing for null, a missing method or a throw", async () => {
    const bytes = Uint8Array.of(0, 1, 255);
    expect(await bindingSource(handle({ readBlob: async () => new Blob([bytes]) })).blob(oid)).toEqual(bytes);
    expect(await bindingSource(handle({ readBlob: async () => null })).blob(oid)).toBeUndefined();
    expect(await bindingSource(handle({})).commit(oid)).toBeUndefined();
    const throwing = handle({
      readCommit: async () => {
        throw new Error("rpc");
      },
      readTree: () => {
        throw new Error("sync");
      },
    });
    expect(await bindingSource(throwing).commit(oid)).toBeUndefined();
    expect(await bindingSource(throwing).tree(oid)).toBeUndefined();
  });

  it("reads the REST contents routes, and takes an error answer as nothing", async () => {
    const asked: string[] = [];
    const client = createClient({
      accountId: "acc",
      apiToken: "an-api-token-for-tests",
      retry: 0,
      fetch: async (input: Request | string | URL) => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        asked.push(url.pathname.split("/repos/")[1] ?? "");
        if (url.pathname.endsWith(`/commit/${oid}`))
          return Response.json({ success: true, errors: [], messages: [], result: bindingCommit });
        if (url.pathname.endsWith(`/tree/${tree}`)) {
          return Response.json({
            success: true,
            errors: [],
            messages: [],
            result: [{ name: "a", mode: "100644", hash: oid }],
          });
        }
        if (url.pathname.endsWith(`/blob/${oid}`)) return new Response(Uint8Array.of(7));
        return Response.json(
          { success: false, errors: [{ code: 10200, message: "no" }], messages: [], result: null },
          { status: 404 },
        );
      },
    });
    const source = restSource(client, "notes", {});
    expect(source.name).toBe("the REST contents routes");
    expect((await source.commit(oid))?.tree).toBe(tree);
    expect(await source.tree(tree)).toEqual([{ name: "a", mode: "100644", oid }]);
    expect(await source.blob(oid)).toEqual(Uint8Array.of(7));
    expect(await source.commit(tree)).toBeUndefined();
    expect(await source.tree(oid)).toBeUndefined();
    expect(await source.blob(tree)).toBeUndefined();
    expect(asked).toEqual([
      `notes/commit/${oid}`,
      `notes/tree/${tree}`,
      `notes/blob/${oid}`,
      `notes/commit/${tree}`,
      `notes/tree/${oid}`,
      `notes/blob/${tree}`,
    ]);
  });
});
