import { describe, expect, it } from "vitest";
import { PatchSyntaxError, readPatch } from "../../../src/git/diff/patch-reader.js";

/** `readPatch` on what `git diff` writes, captured from git 2.39 (`git diff --cached -M`), and on what git apply refuses. */

const captured = [
  'diff --git "a/caf\\303\\251.txt" "b/caf\\303\\251.txt"',
  "index b77b4eb..7061c57 100644",
  '--- "a/caf\\303\\251.txt"',
  '+++ "b/caf\\303\\251.txt"',
  "@@ -1,2 +1,2 @@",
  " x",
  "-y",
  "+Y",
  "diff --git a/fresh.txt b/fresh.txt",
  "new file mode 100644",
  "index 0000000..92d5444",
  "--- /dev/null",
  "+++ b/fresh.txt",
  "@@ -0,0 +1 @@",
  "+fresh",
  "diff --git a/gone.txt b/gone.txt",
  "deleted file mode 100644",
  "index 286c5f5..0000000",
  "--- a/gone.txt",
  "+++ /dev/null",
  "@@ -1 +0,0 @@",
  "-gone",
  "diff --git a/keep.txt b/keep.txt",
  "index 4cb29ea..a9beb14 100644",
  "--- a/keep.txt",
  "+++ b/keep.txt",
  "@@ -1,3 +1,3 @@",
  " one",
  "-two",
  "-three",
  "+TWO",
  "+three",
  "\\ No newline at end of file",
  "diff --git a/old.txt b/new.txt",
  "similarity index 79%",
  "rename from old.txt",
  "rename to new.txt",
  "index 9864d22..fa785d9 100644",
  "--- a/old.txt",
  "+++ b/new.txt",
  "@@ -2,4 +2,4 @@ line one",
  " line two",
  " line three",
  " line four",
  "-line five",
  "+line 5",
  "diff --git a/run.sh b/run.sh",
  "old mode 100644",
  "new mode 100755",
]
  .join("\n")
  .concat("\n");

const caught = (patch: string) => {
  try {
    readPatch(patch);
  } catch (error) {
    return error;
  }
  return undefined;
};

describe("readPatch", () => {
  it("reads every file of git's own diff: quoted names as bytes, new, deleted, renamed, mode changes", () => {
    const files = readPatch(captured);
    expect(
      files.map(({ oldPath, newPath, oldMode, newMode, copy }) => ({ oldPath, newPath, oldMode, newMode, copy })),
    ).toEqual([
      { oldPath: "caf\xc3\xa9.txt", newPath: "caf\xc3\xa9.txt", oldMode: "100644", newMode: "100644", copy: false },
      { oldPath: undefined, newPath: "fresh.txt", oldMode: undefined, newMode: "100644", copy: false },
      { oldPath: "gone.txt", newPath: undefined, oldMode: "100644", newMode: undefined, copy: false },
      { oldPath: "keep.txt", newPath: "keep.txt", oldMode: "100644", newMode: "100644", copy: false },
      { oldPath: "old.txt", newPath: "new.txt", oldMode: "100644", newMode: "100644", copy: false },
      { oldPath: "run.sh", newPath: "run.sh", oldMode: "100644", newMode: "100755", copy: false },
    ]);
    expect(files[5]?.hunks).toEqual([]);
  });

  it("counts each hunk against its @@ line, and drops the newline before \\ No newline at end of file", () => {
    const [, fresh, gone, keep, renamed] = readPatch(captured);
    expect(
      fresh?.hunks.map(({ oldStart, oldCount, newStart, newCount }) => [oldStart, oldCount, newStart, newCount]),
    ).toEqual([[0, 0, 1, 1]]);
    expect(gone?.hunks[0]).toMatchObject({ oldStart: 1, oldCount: 1, newStart: 0, newCount: 0 });
    expect(keep?.hunks[0]?.lines).toEqual([
      { kind: " ", text: "one\n" },
      { kind: "-", text: "two\n" },
      { kind: "-", text: "three\n" },
      { kind: "+", text: "TWO\n" },
      { kind: "+", text: "three" },
    ]);
    expect(renamed?.hunks[0]).toMatchObject({ oldStart: 2, oldCount: 4, newStart: 2, newCount: 4 });
    expect(renamed?.hunks[0]?.source.split("\n")[0]).toBe("@@ -2,4 +2,4 @@ line one");
  });

  it("reads a plain diff without git's headers, and skips the text around the files' patches", () => {
    const plain = "A message\n\n--- a/x.txt\t2026-01-01\n+++ b/x.txt\n@@ -1 +1 @@\n-a\n+b\n-- \nsignature\n";
    expect(readPatch(plain)).toEqual([
      {
        oldPath: "x.txt",
        newPath: "x.txt",
        copy: false,
        hunks: [
          {
            oldStart: 1,
            oldCount: 1,
            newStart: 1,
            newCount: 1,
            source: "@@ -1 +1 @@\n-a\n+b",
            lines: [
              { kind: "-", text: "a\n" },
              { kind: "+", text: "b\n" },
            ],
          },
        ],
      },
    ]);
  });

  it("refuses what git apply calls corrupt, and binary patches, saying why and where", () => {
    const head = "diff --git a/x b/x\n--- a/x\n+++ b/x\n";
    const refusals: [string, string][] = [
      ["", "no file's patch in it"],
      [`${head}@@ -1,2 +1,2 @@\n a\n`, "a hunk cut short (line 6 of the patch)"],
      [`${head}@@ -1 +1,2 @@\n-a\n-b\n`, "a hunk with more lines than its @@ line says (line 7 of the patch)"],
      [`${head}@@ -1 +1 @@\n a\n`, "a hunk that changes nothing (line 6 of the patch)"],
      [`${head}@@ -1,2 +1,2 @@\n a\n?b\n`, "a hunk with fewer lines than its @@ line says (line 6 of the patch)"],
      [`${head}@@ -x +1 @@\n`, "a malformed @@ line (line 4 of the patch)"],
      [
        "diff --git a/x b/x\nindex 0000000..1111111\nGIT binary patch\n",
        "a binary patch, which applyPatch does not apply (line 3 of the patch)",
      ],
      [
        "diff --git a/x b/x\nnew file mode 160000\n",
        "mode 160000, which applyPatch does not apply (a submodule, or not git's) (line 2 of the patch)",
      ],
      ['--- "a/x\\q"\n+++ b/x\n', "an unknown escape \\q in a quoted path"],
      ["--- x\n+++ x\n@@ -1 +1 @@\n-a\n+b\n", 'the path "x" has no a/ or b/ prefix to take off'],
      ["@@ -1 +1 @@\n-a\n+b\n", "a hunk outside any file (line 1 of the patch)"],
    ];
    for (const [patch, why] of refusals) {
      const error = caught(patch);
      expect(error, patch).toBeInstanceOf(PatchSyntaxError);
      expect((error as Error).message, patch).toBe(why);
    }
  });
});
