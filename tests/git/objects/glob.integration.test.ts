import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commitFiles, diffRefs, readFiles } from "../../../src/git/index.js";
import { createRepo } from "../../../src/index.js";
import { gitCli } from "../../support/git.js";
import { useLocalServer } from "../../support/local-server.js";

/** Globs in `paths`, judged by git: the files `git diff-tree -r -- <glob>` names, on the local server's repos. */

const author = { name: "Ada Agent", email: "ada@example.com", timestamp: 1_764_000_000, timezoneOffset: 0 };
const EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
const local = useLocalServer();
const bare = (repo: string) => join(local.server.dataDir, `${local.server.state.findRepo("default", repo)?.id}.git`);

const files = {
  "README.md": "r",
  "docs/guide.md": "g",
  "docs/deep/more.md": "m",
  "docs/image.png": "p",
  "src/index.ts": "i",
  "src/lib/util.ts": "u",
  "src/lib/util.test.ts": "t",
  "src/lib/deeper/x.ts": "x",
  "srcs/other.ts": "o",
  "a1.txt": "1",
  "a2.txt": "2",
  "ab.txt": "b",
  "café/menu.txt": "c",
};
const globs = [
  "*.md",
  "docs/*.md",
  "src/**/*.ts",
  "src/*.ts",
  "src/lib/*.test.ts",
  "sr?",
  "a[0-9].txt",
  "a[!0-9].txt",
  "[[:alpha:]]?.txt",
  "caf?/*",
  "caf*/*",
  "*.none",
];

describe("globs in paths", () => {
  it("select the files git's pathspec selects, in readFiles and diffRefs", async () => {
    const name = "globs";
    await createRepo(local.client, { name });
    const before = { "a0.txt": "0", "docs/old.md": "o", "src/lib/util.ts": "old" };
    const first = (await commitFiles(local.client, name, { message: "first", author, files: before }))._unsafeUnwrap();
    const made = (await commitFiles(local.client, name, { message: "files", author, files }))._unsafeUnwrap();
    const named = async (from: string, glob: string) => {
      const args = ["diff-tree", "-r", "--name-only", "-z", from, made.commit, "--", glob];
      return (await gitCli(["--git-dir", bare(name), ...args])).stdout.split("\0").filter(Boolean).sort();
    };
    for (const glob of globs) {
      const read = (await readFiles(local.client, name, { paths: [glob] }))._unsafeUnwrap();
      expect([...read.files.keys()].sort(), glob).toEqual(await named(EMPTY_TREE, glob));
      const diff = await diffRefs(local.client, name, { from: first.commit, to: made.commit, paths: [glob] });
      expect(
        diff
          ._unsafeUnwrap()
          .changes.map((change) => change.path)
          .sort(),
        glob,
      ).toEqual(await named(first.commit, glob));
    }
  });
});
