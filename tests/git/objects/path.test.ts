import { describe, expect, it } from "vitest";
import { pathProblem, select } from "../../../src/git/objects/path.js";
import { fromUtf8 } from "../../../src/git/objects/tree.js";

/** Which paths a commit may write (git's verify_path, NTFS and HFS protections on), and what `paths` selects. */

describe("pathProblem", () => {
  it.each([
    "a.txt",
    "notes/2026/today.md",
    "é/ü.txt",
    ".github/workflows/ci.yml",
    ".gitignore",
    "git~2",
    ".git-credentials",
    "a/.gitx",
    "x".repeat(4096),
    "emoji 😀.txt",
  ])("lets %j be written", (path) => {
    expect(pathProblem(path)).toBeUndefined();
  });

  it.each([
    ["", "it is empty"],
    ["x".repeat(4097), "it is longer than 4096 characters"],
    ["a\0b", "it holds a NUL"],
    ["a\uD800b", "it holds a lone surrogate (not encodable as UTF-8)"],
    ["a\uDC00", "it holds a lone surrogate (not encodable as UTF-8)"],
    ["foo\\bar", "it holds a backslash"],
    ["/a", "it has an empty part (a leading, trailing or double /)"],
    ["a/", "it has an empty part (a leading, trailing or double /)"],
    ["a//b", "it has an empty part (a leading, trailing or double /)"],
    ["./a", "it has a . part"],
    ["a/../b", "it has a .. part"],
    [".git", 'its part ".git" names .git on some filesystem'],
    ["a/.GIT/config", 'its part ".GIT" names .git on some filesystem'],
    [".git.", 'its part ".git." names .git on some filesystem'],
    [".git . .", 'its part ".git . ." names .git on some filesystem'],
    ["GIT~1", 'its part "GIT~1" names .git on some filesystem'],
    ["git~1/hooks", 'its part "git~1" names .git on some filesystem'],
    [".git::$INDEX_ALLOCATION", 'its part ".git::$INDEX_ALLOCATION" names .git on some filesystem'],
    [".git. :x", 'its part ".git. :x" names .git on some filesystem'],
    [".g\u200cit", 'its part ".g\u200cit" names .git on some filesystem'],
    ["\ufeff.GiT", 'its part "\ufeff.GiT" names .git on some filesystem'],
  ])("refuses %j: %s", (path, problem) => {
    expect(pathProblem(path)).toBe(problem);
  });

  it("keeps a name that only starts like .git", () => {
    expect(pathProblem(".gitx")).toBeUndefined();
    expect(pathProblem(".git.x")).toBeUndefined();
    expect(pathProblem("git~1x")).toBeUndefined();
    expect(pathProblem(".g\u200cit2")).toBeUndefined();
  });
});

describe("select", () => {
  const b = fromUtf8;

  it("selects every file and folder when no paths are given", () => {
    const all = select(undefined);
    expect(all.file(b("any/where.txt"))).toBe(true);
    expect(all.enter(b("any/"))).toBe(true);
  });

  it("selects exact files, and enters only the folders on their way", () => {
    const chosen = select(["docs/a.md", "top.txt"]);
    expect(chosen.file(b("docs/a.md"))).toBe(true);
    expect(chosen.file(b("top.txt"))).toBe(true);
    expect(chosen.file(b("docs/b.md"))).toBe(false);
    expect(chosen.file(b("docs"))).toBe(false);
    expect(chosen.enter(b("docs/"))).toBe(true);
    expect(chosen.enter(b("src/"))).toBe(false);
    expect(chosen.enter(b("doc/"))).toBe(false);
  });

  it("selects whole folders written with a trailing slash, at any depth below them", () => {
    const chosen = select(["notes/2026/"]);
    expect(chosen.file(b("notes/2026/a.md"))).toBe(true);
    expect(chosen.file(b("notes/2026/x/y.md"))).toBe(true);
    expect(chosen.file(b("notes/2025/a.md"))).toBe(false);
    expect(chosen.file(b("notes/2026"))).toBe(false);
    expect(chosen.enter(b("notes/"))).toBe(true);
    expect(chosen.enter(b("notes/2026/"))).toBe(true);
    expect(chosen.enter(b("notes/2026/x/"))).toBe(true);
    expect(chosen.enter(b("notes/2025/"))).toBe(false);
  });

  it("compares the UTF-8 bytes Git stores", () => {
    const chosen = select(["é/ü.txt"]);
    expect(chosen.file(b("é/ü.txt"))).toBe(true);
    expect(chosen.enter(b("é/"))).toBe(true);
    expect(chosen.file("é/ü.txt")).toBe(false); // a JS string is not the stored bytes
  });

  it("selects nothing for an empty list", () => {
    const none = select([]);
    expect(none.file(b("a"))).toBe(false);
    expect(none.enter(b("a/"))).toBe(false);
  });
});
