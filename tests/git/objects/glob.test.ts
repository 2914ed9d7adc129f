import { describe, expect, it } from "vitest";
import { compileGlob, isGlob } from "../../../src/git/objects/glob.js";
import { pathspec, select } from "../../../src/git/objects/path.js";
import { fromUtf8 } from "../../../src/git/objects/tree.js";

/** Globs in `paths` (glob.ts): git's pathspec without magic, where `*` crosses folders. */

const b = fromUtf8;
const matches = (glob: string, path: string) => compileGlob(b(glob)).matches(b(path));

describe("isGlob", () => {
  it("is a path with *, ?, [ or a backslash", () => {
    expect(["*.md", "a?", "[ab]", "a\\*"].map(isGlob)).toEqual([true, true, true, true]);
    expect(["docs/", "a.md", "a b"].map(isGlob)).toEqual([false, false, false]);
  });
});

describe("compileGlob", () => {
  it("lets * and ** match any run of characters, folders included", () => {
    expect(matches("*.md", "README.md")).toBe(true);
    expect(matches("*.md", "docs/deep/a.md")).toBe(true);
    expect(matches("*.md", "a.mdx")).toBe(false);
    expect(matches("src/**/*.ts", "src/a/b.ts")).toBe(true);
    expect(matches("src/**/*.ts", "src/b.ts")).toBe(false);
    expect(matches("src/*.ts", "src/a/b.ts")).toBe(true);
  });

  it("reads ? as one character, sets, ranges, negations, classes and escapes", () => {
    expect(matches("a?c", "abc")).toBe(true);
    expect(matches("a?c", "a/c")).toBe(true);
    expect(matches("a?c", "ac")).toBe(false);
    expect(matches("[ab]x", "bx")).toBe(true);
    expect(matches("[a-c]x", "cx")).toBe(true);
    expect(matches("[!a-c]x", "cx")).toBe(false);
    expect(matches("[^a-c]x", "dx")).toBe(true);
    expect(matches("[]]x", "]x")).toBe(true);
    expect(matches("[[:digit:]]x", "7x")).toBe(true);
    expect(matches("[[:upper:]]x", "ax")).toBe(false);
    expect(matches("a\\*", "a*")).toBe(true);
    expect(matches("a\\*", "ab")).toBe(false);
    expect(matches("a.b", "axb")).toBe(false);
  });

  it("matches a file's whole path, not a folder on its way (as git diff-tree)", () => {
    expect(matches("sr?", "src/a/b.ts")).toBe(false);
    expect(matches("sr?/*", "src/a/b.ts")).toBe(true);
  });

  it("matches nothing when a bracket is left open or a class is unknown", () => {
    expect(matches("[ab", "[ab")).toBe(false);
    expect(matches("[[:nope:]]", "a")).toBe(false);
  });

  it("keeps the fixed part before the first wildcard, for the folders worth reading", () => {
    expect(compileGlob(b("src/**/*.ts")).prefix).toBe("src/");
    expect(compileGlob(b("docs/a*.md")).prefix).toBe("docs/a");
    expect(compileGlob(b("*.md")).prefix).toBe("");
  });

  it("compares bytes: a non-ASCII name matches as its UTF-8", () => {
    expect(matches("caf?", "café")).toBe(false); // é is two bytes
    expect(matches("caf??", "café")).toBe(true);
  });
});

describe("select with globs", () => {
  it("enters only the folders on a glob's fixed prefix", () => {
    const chosen = select(["src/**/*.ts", "README.md"]);
    expect(chosen.enter(b("src/"))).toBe(true);
    expect(chosen.enter(b("src/deep/"))).toBe(true);
    expect(chosen.enter(b("docs/"))).toBe(false);
    expect(chosen.file(b("src/a/b.ts"))).toBe(true);
    expect(chosen.file(b("README.md"))).toBe(true);
    expect(chosen.file(b("docs/README.md"))).toBe(false);
  });
});

describe("pathspec", () => {
  it("reads a path as a file or a folder, as git does", () => {
    const spec = pathspec(["src", "a.txt"]);
    expect(spec.file(b("src"))).toBe(true);
    expect(spec.file(b("src/deep/x.ts"))).toBe(true);
    expect(spec.file(b("srcs/x.ts"))).toBe(false);
    expect(spec.file(b("a.txt"))).toBe(true);
    expect(spec.enter(b("src/"))).toBe(true);
    expect(spec.enter(b("lib/"))).toBe(false);
  });
});
