import { chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyPatch, PatchConflict } from "../../src/git/index.js";
import { createRepo } from "../../src/index.js";
import { gitCli, tempDir, withBearer, writeFiles } from "../support/git.js";
import { useLocalServer } from "../support/local-server.js";

/** applyPatch judged by `git apply`: the tree it gives, and what `git apply --check` refuses, with and without filter. */

const withFilter = useLocalServer();
const withoutFilter = useLocalServer({ gitFilter: false });
const author = { name: "Ada Agent", email: "ada@example.com", timestamp: 1_767_225_600, timezoneOffset: 0 };
const lines = (count: number, tag = "line") => Array.from({ length: count }, (_, n) => `${tag} ${n + 1}\n`).join("");

/** A work tree at `files`, committed on main. */
async function workTree(files: Record<string, string>) {
  const dir = await tempDir("apply-");
  await gitCli(["init", "--quiet", "-b", "main"], dir);
  await edit(dir, files);
  return dir;
}
async function edit(dir: string, files: Record<string, string | null>, message = "edit") {
  await writeFiles(dir, files);
  await gitCli(["add", "-A"], dir);
  await gitCli(["commit", "--quiet", "--allow-empty", "-m", message], dir);
}
/** The patch from `main~1` to `main` of a work tree, as git diff writes it (renames found). */
const lastDiff = async (dir: string) => (await gitCli(["diff", "-M", "HEAD~1", "HEAD"], dir)).stdout;

/** What git apply does with `patch` on `dir`'s main: the tree, or a refusal. */
async function gitApply(dir: string, patch: string) {
  const clone = await tempDir("apply-clone-");
  await gitCli(["clone", "--quiet", dir, clone]);
  const file = join(clone, "..", `${clone.split("/").at(-1)}.patch`);
  await writeFile(file, patch);
  if ((await gitCli(["apply", "--check", file], clone)).code !== 0) return { refused: true };
  await gitCli(["apply", "--index", file], clone);
  return { tree: (await gitCli(["write-tree"], clone)).stdout.trim() };
}

let count = 0;
async function pushed(local: typeof withFilter, dir: string) {
  const name = `apply-${++count}`;
  const created = (await createRepo(local.client, { name }))._unsafeUnwrap();
  await gitCli(withBearer(created.token, ["push", "--quiet", created.remote, "main"]), dir);
  const bare = join(local.server.dataDir, `${local.server.state.findRepo("default", name)?.id}.git`);
  return { target: { remote: created.remote, token: created.token }, bare };
}

describe.each([
  ["with filter", withFilter],
  ["without filter", withoutFilter],
])("applyPatch %s", (_, local) => {
  async function judge(dir: string, patch: string) {
    const git = await gitApply(dir, patch);
    const { target, bare } = await pushed(local, dir);
    const before = (await gitCli(["--git-dir", bare, "rev-parse", "main"])).stdout.trim();
    const applied = await applyPatch(target, { patch, message: "Apply", author });
    const head = (await gitCli(["--git-dir", bare, "rev-parse", "main"])).stdout.trim();
    if (git.tree !== undefined) {
      expect(applied._unsafeUnwrap().tree).toBe(git.tree);
      expect(head).toBe(applied._unsafeUnwrap().commit);
      expect((await gitCli(["--git-dir", bare, "fsck", "--strict", "--no-dangling"])).code).toBe(0);
    } else {
      expect(head).toBe(before); // nothing pushed
    }
    return { git, applied };
  }

  it("applies what git diff wrote: edits, new, deleted, renamed and copied files, modes, no final newline", async () => {
    const source = await workTree({
      "a.txt": lines(30),
      "dir/b.txt": "b\n",
      "c.txt": lines(10, "c"),
      "script.sh": "echo hi\n",
      "noeol.txt": "no newline",
      "caf\u00e9.txt": "caf\n",
    });
    const dir = await tempDir("apply-target-");
    await gitCli(["clone", "--quiet", source, dir]);
    await edit(dir, {
      "a.txt": lines(30).replace("line 15\n", "line fifteen\n").replace("line 2\n", ""),
      "new/file.txt": "brand new\n",
      "dir/b.txt": null,
      "c.txt": null,
      "d.txt": lines(10, "c").replace("c 10\n", "c ten\n"),
      "noeol.txt": "no newline, still",
      "caf\u00e9.txt": "caf\u00e9\n",
    });
    await chmod(join(dir, "script.sh"), 0o755);
    await gitCli(["commit", "--quiet", "-am", "mode"], dir);
    const patch = (await gitCli(["diff", "-M", "-C", "HEAD~2", "HEAD"], dir)).stdout;
    expect(patch).toContain("rename from c.txt");
    expect(patch).toContain("new mode 100755");
    const { git } = await judge(source, patch);
    expect(git.tree).toBeDefined();
  });

  it("places a hunk where its lines moved to, as git apply does", async () => {
    const dir = await workTree({ "a.txt": lines(40) });
    const patchFrom = await tempDir("apply-from-");
    await gitCli(["clone", "--quiet", dir, patchFrom]);
    await edit(patchFrom, { "a.txt": lines(40).replace("line 30\n", "line thirty\n") });
    const patch = await lastDiff(patchFrom);
    await edit(dir, { "a.txt": `top 1\ntop 2\ntop 3\n${lines(40)}` }); // the lines moved down by three
    const { git } = await judge(dir, patch);
    expect(git.tree).toBeDefined();
  });

  it("refuses a hunk whose lines are not there: a PatchConflict with the file's lines", async () => {
    const dir = await workTree({ "a.txt": lines(10) });
    const patchFrom = await tempDir("apply-from-");
    await gitCli(["clone", "--quiet", dir, patchFrom]);
    await edit(patchFrom, { "a.txt": lines(10).replace("line 5\n", "line five\n") });
    const patch = await lastDiff(patchFrom);
    await edit(dir, { "a.txt": lines(10).replace("line 5\n", "line 5 changed\n") });
    const { git, applied } = await judge(dir, patch);
    expect(git.refused).toBe(true);
    const conflict = applied._unsafeUnwrapErr() as PatchConflict;
    expect(conflict).toBeInstanceOf(PatchConflict);
    expect(conflict.rejects).toEqual([
      {
        path: "a.txt",
        reason: "mismatch",
        hunk: patch.slice(patch.indexOf("@@")).trimEnd(),
        current: "line 2\nline 3\nline 4\nline 5 changed\nline 6\nline 7\nline 8\n",
      },
    ]);
  });

  it.each([
    [
      "a new file that exists",
      "diff --git a/a.txt b/a.txt\nnew file mode 100644\n--- /dev/null\n+++ b/a.txt\n@@ -0,0 +1 @@\n+x\n",
      "exists",
    ],
    [
      "a deleted file that is not there",
      "diff --git a/z.txt b/z.txt\ndeleted file mode 100644\n--- a/z.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-z\n",
      "missing",
    ],
    [
      "a deletion that leaves lines",
      "diff --git a/a.txt b/a.txt\ndeleted file mode 100644\n--- a/a.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-line 1\n",
      "mismatch",
    ],
    [
      "a rename onto a file that exists",
      "diff --git a/a.txt b/b.txt\nsimilarity index 100%\nrename from a.txt\nrename to b.txt\n",
      "exists",
    ],
    [
      "a hunk at the start that is not",
      "--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +1,2 @@\n-line 2\n+two\n line 3\n",
      "mismatch",
    ],
  ])("refuses %s, as git apply --check does", async (_, patch, reason) => {
    const dir = await workTree({ "a.txt": lines(3), "b.txt": "b\n" });
    const { git, applied } = await judge(dir, patch);
    expect(git.refused).toBe(true);
    expect((applied._unsafeUnwrapErr() as PatchConflict).rejects[0]?.reason).toBe(reason);
  });

  it("applies a plain unified diff (no diff --git line), and one hunk at the end of a file", async () => {
    const dir = await workTree({ "a.txt": lines(5) });
    const patch = "--- a/a.txt\n+++ b/a.txt\n@@ -4,2 +4,3 @@\n line 4\n line 5\n+line 6\n";
    const { git } = await judge(dir, patch);
    expect(git.tree).toBeDefined();
  });
});

describe("applyPatch input", () => {
  it("refuses a corrupt patch, a binary one and a bad message before anything is sent", async () => {
    const target = {
      remote: "http://127.0.0.1:9/git/default/none.git",
      token: "art_v1_0123456789abcdef0123456789abcdef01234567",
    };
    for (const [input, field] of [
      [{ patch: "hello\n", message: "m", author }, "patch"],
      [{ patch: "--- a/a\n+++ b/a\n@@ -1,2 +1,2 @@\n-a\n", message: "m", author }, "patch"],
      [{ patch: "diff --git a/a b/a\nGIT binary patch\nliteral 0\n", message: "m", author }, "patch"],
      [{ patch: 3, message: "m", author }, "patch"],
      [{ patch: "--- a/a\n+++ b/a\n@@ -1 +1 @@\n-a\n+b\n", message: 5, author }, "message"],
    ] as const) {
      const refused = await applyPatch(target, input as never);
      expect(refused._unsafeUnwrapErr(), JSON.stringify(input)).toMatchObject({ _tag: "InvalidInputError", field });
    }
  });
});
