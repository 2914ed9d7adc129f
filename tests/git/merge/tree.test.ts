import { describe, expect, it } from "vitest";
import { MergeConflict, mergeLines } from "../../../src/git/merge/tree.js";

/** The tree merge's own pieces: the conflict it reports, and a file's lines merged three ways. */

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (merged: Uint8Array | undefined) => (merged ? new TextDecoder().decode(merged) : undefined);

describe("MergeConflict", () => {
  const entry = { path: "a.txt", kind: "content" as const };

  it("of a merge: names the paths, and has no commit of its own", () => {
    const conflict = new MergeConflict([entry, { path: "b.txt", kind: "add-add" }]);
    expect(conflict.message).toBe("the merge has 2 conflict(s): a.txt, b.txt");
    expect(Object.hasOwn(conflict, "commit")).toBe(false);
    expect(conflict.toJSON()).not.toHaveProperty("commit");
  });

  it("of a cherry-pick or a revert: names the commit whose change conflicted", () => {
    const commit = "c".repeat(40);
    const conflict = new MergeConflict([entry], commit);
    expect(conflict.message).toBe(`applying ${commit} has 1 conflict(s): a.txt`);
    expect(conflict.commit).toBe(commit);
    expect(conflict.toJSON()).toMatchObject({ _tag: "MergeConflict", commit, conflicts: [entry] });
  });
});

describe("mergeLines", () => {
  const base = "A\nB\nC\nD\nE\nF\n";
  const ours = "X\nB\nC\nD\nE\nF\n";
  const theirs = "A\nB\nC\nD\nE\nY\n";

  it("merges changes apart, line by line", () => {
    expect(text(mergeLines(bytes(base), bytes(ours), bytes(theirs)))).toBe("X\nB\nC\nD\nE\nY\n");
  });

  it("is a conflict where both changed one line", () => {
    expect(mergeLines(bytes(base), bytes("Z\nB\nC\nD\nE\nF\n"), bytes(ours))).toBeUndefined();
  });

  it.each([
    ["the base", 0],
    ["ours", 1],
    ["theirs", 2],
  ])("never merges lines when %s is binary (a NUL in its first 8,000 bytes), as git does not", (_, which) => {
    // One side holds one more line, in the middle: the NUL, or an N, which merges cleanly.
    const withLine = (line: string) =>
      [base, ours, theirs].map((side, index) => bytes(index === which ? side.replace("C\n", `C\n${line}\n`) : side));
    const [b, o, t] = withLine("N") as [Uint8Array, Uint8Array, Uint8Array];
    expect(mergeLines(b, o, t)).toBeDefined();
    const [binaryBase, binaryOurs, binaryTheirs] = withLine("\0") as [Uint8Array, Uint8Array, Uint8Array];
    expect(mergeLines(binaryBase, binaryOurs, binaryTheirs)).toBeUndefined();
  });

  it("reads a NUL past the first 8,000 bytes as text, as git does", () => {
    const tail = `${"t".repeat(8000)}\0\n`;
    expect(text(mergeLines(bytes(base + tail), bytes(ours + tail), bytes(theirs + tail)))).toBe(
      `X\nB\nC\nD\nE\nY\n${tail}`,
    );
  });
});
