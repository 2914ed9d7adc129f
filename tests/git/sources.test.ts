import { describe, expect, it } from "vitest";
import { objectId } from "../../src/git/hash.js";
import { type CommitFields, verifiedTree } from "../../src/git/sources.js";

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

describe("verifiedTree", () => {
  it("trusts a tree whose fields rebuild the commit, timezones given or found", async () => {
    const message = "subject +0530 +0530\n\nbody line";
    expect(await verifiedTree(SAME_ZONE, fields([], `${message}\n`, ["+0530", "+0530"]))).toBe(TREE);
    // As the binding gives it: no timezone, the last newline stripped.
    expect(await verifiedTree(SAME_ZONE, fields([], message, [undefined, undefined]))).toBe(TREE);
    const apart = fields([SAME_ZONE], "subject +0100 -0800\n\nbody line", [undefined, undefined]);
    expect(await verifiedTree(HOURS_APART, apart)).toBe(TREE);
    const oneKnown = fields([HOURS_APART], "subject +0530 -0800\n\nbody line", ["+0530", undefined]);
    expect(await verifiedTree(ODD_PAIR, oneKnown)).toBe(TREE);
  });

  it("trusts nothing that does not rebuild: another tree, parent, message or time, or an unlisted pair", async () => {
    const good = fields([], "subject +0530 +0530\n\nbody line", [undefined, undefined]);
    expect(await verifiedTree(SAME_ZONE, { ...good, tree: "0".repeat(40) })).toBeUndefined();
    expect(await verifiedTree(SAME_ZONE, { ...good, parents: [HOURS_APART] })).toBeUndefined();
    expect(await verifiedTree(SAME_ZONE, { ...good, message: "subject" })).toBeUndefined();
    expect(await verifiedTree(SAME_ZONE, { ...good, author: { ...good.author, timestamp: 1 } })).toBeUndefined();
    // Half-hour and whole-hour zones that differ are not searched: such a commit takes the next source.
    const odd = fields([HOURS_APART], "subject +0530 -0800\n\nbody line", [undefined, undefined]);
    expect(await verifiedTree(ODD_PAIR, odd)).toBeUndefined();
  });
});

describe("objectId", () => {
  it("hashes as git does", async () => {
    expect(await objectId("blob", new TextEncoder().encode("x\n"))).toBe("587be6b4c3f93f93c489c0111bba5596147a26cb");
    expect(await objectId("tree", new Uint8Array())).toBe("4b825dc642cb6eb9a060e54bf8d69288fbee4904");
  });
});
