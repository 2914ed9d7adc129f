import { chmod, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type Change, commitFiles, diffRefs } from "../../src/git/index.js";
import { createRepo, forkRepo } from "../../src/index.js";
import { gitCli, removeTempDirs, tempDir, withBearer } from "../support/git.js";
import { useLocalServer } from "../support/local-server.js";

/**
 * `diffRefs` against git: the paths and statuses of `git diff --no-renames --name-status`, the modes and ids of
 * `git diff-tree -r`, on commits the git CLI made (modes, symlinks, a file become a folder) and across a fork.
 */

const author = { name: "Ada Agent", email: "ada@example.com", timestamp: 1_764_000_000, timezoneOffset: 0 };
const local = useLocalServer();
afterAll(removeTempDirs);

const STATUS: Record<string, Change["status"]> = { A: "added", M: "modified", D: "deleted", T: "type-changed" };

/** What git says changed from `a` to `b`, as `Change`s (modes and ids from diff-tree). */
async function gitChanges(dir: string, a: string, b: string, paths: string[] = []): Promise<Change[]> {
  const raw = (await gitCli(["-C", dir, "diff-tree", "-r", "--no-renames", "-z", a, b, "--", ...paths])).stdout;
  const fields = raw.split("\0").filter(Boolean);
  const changes: Change[] = [];
  for (let index = 0; index < fields.length; index += 2) {
    const [oldMode, newMode, oldId, newId, letter] = (fields[index] ?? "").slice(1).split(" ");
    const status = STATUS[letter ?? ""] as Change["status"];
    changes.push({
      path: fields[index + 1] ?? "",
      status,
      ...(status !== "added" ? { before: { mode: oldMode ?? "", id: oldId ?? "" } } : {}),
      ...(status !== "deleted" ? { after: { mode: newMode ?? "", id: newId ?? "" } } : {}),
    });
  }
  const names = (await gitCli(["-C", dir, "diff", "--no-renames", "--name-status", a, b, "--", ...paths])).stdout;
  expect(names).toBe(changes.map((change) => `${letterOf(change.status)}\t${change.path}\n`).join(""));
  return changes;
}
const letterOf = (status: Change["status"]) => Object.entries(STATUS).find(([, value]) => value === status)?.[0];

async function work(dir: string, files: Record<string, string | null>) {
  for (const [path, content] of Object.entries(files)) {
    if (content === null) await rm(join(dir, path), { recursive: true, force: true });
    else {
      await mkdir(join(dir, path, ".."), { recursive: true });
      await writeFile(join(dir, path), content);
    }
  }
}
const commit = async (dir: string, message: string) => {
  await gitCli(["-C", dir, "add", "-A"]);
  await gitCli(["-C", dir, "commit", "--quiet", "-m", message]);
  return (await gitCli(["-C", dir, "rev-parse", "HEAD"])).stdout.trim();
};

describe("diffRefs", () => {
  it("equals git's diff: added, modified, deleted, type-changed, a mode change, a file become a folder", async () => {
    const repo = (await createRepo(local.client, { name: "diff-cli" }))._unsafeUnwrap();
    const dir = await tempDir();
    await gitCli(["init", "--quiet", "-b", "main", dir]);
    await work(dir, {
      "README.md": "# one\n",
      "src/a.ts": "export const a = 1;\n",
      "src/b.ts": "export const b = 2;\n",
      "src/deep/x/y.txt": "y\n",
      "docs/guide.md": "guide\n",
      "run.sh": "echo 1\n",
      node: "a file, later a folder\n",
      link: "a file, later a symlink\n",
    });
    for (let n = 0; n < 50; n++) await work(dir, { [`untouched/f${n}.txt`]: `${n}\n` });
    const first = await commit(dir, "one");
    await work(dir, {
      "README.md": "# two\n",
      "src/b.ts": null,
      "src/c.ts": "export const c = 3;\n",
      "src/deep/x/y.txt": "y2\n",
      node: null,
      "node/inside.txt": "inside\n",
      link: null,
    });
    await symlink("README.md", join(dir, "link"));
    await chmod(join(dir, "run.sh"), 0o755);
    const second = await commit(dir, "two");
    expect((await gitCli(withBearer(repo.token, ["-C", dir, "push", "--quiet", repo.remote, "main"]))).code).toBe(0);

    const diff = (await diffRefs(local.client, "diff-cli", { from: first, to: "main" }))._unsafeUnwrap();
    expect(diff.from).toBe(first);
    expect(diff.to).toBe(second);
    expect(diff.changes).toEqual(await gitChanges(dir, first, second));
    expect(diff.changes.map((change) => change.status)).toContain("type-changed");

    const some = (
      await diffRefs(local.client, "diff-cli", { from: first, to: second, paths: ["src/", "README.md"] })
    )._unsafeUnwrap();
    expect(some.changes).toEqual(await gitChanges(dir, first, second, ["src/", "README.md"]));
    const none = (await diffRefs(local.client, "diff-cli", { from: second, to: "main" }))._unsafeUnwrap();
    expect(none.changes).toEqual([]);
  });

  it("reads only the trees that differ: an unchanged folder is never read", async () => {
    (await createRepo(local.client, { name: "diff-cost" }))._unsafeUnwrap();
    const files: Record<string, string> = { "changed/a.txt": "a" };
    for (let n = 0; n < 200; n++) files[`same/deep/f${n}.txt`] = `${n}`;
    const one = (await commitFiles(local.client, "diff-cost", { message: "one", author, files }))._unsafeUnwrap();
    const two = (
      await commitFiles(local.client, "diff-cost", { message: "two", author, files: { "changed/a.txt": "A" } })
    )._unsafeUnwrap();
    const same = (
      await gitCli([
        "--git-dir",
        join(local.server.dataDir, `${local.server.state.findRepo("default", "diff-cost")?.id}.git`),
        "rev-parse",
        `${one.commit}:same`,
      ])
    ).stdout.trim();
    // Every Git request the diff makes, as sent: the unchanged folder's id must be in none.
    const asked: string[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = async (input, init) => {
      const request = new Request(input, init);
      if (request.url.endsWith("/git-upload-pack"))
        asked.push(new TextDecoder().decode(await request.clone().arrayBuffer()));
      return realFetch(request);
    };
    try {
      const diff = (await diffRefs(local.client, "diff-cost", { from: one.commit, to: two.commit }))._unsafeUnwrap();
      expect(diff.changes.map(({ path, status }) => [path, status])).toEqual([["changed/a.txt", "modified"]]);
    } finally {
      globalThis.fetch = realFetch;
    }
    expect(asked.join("")).not.toContain(same);
  });

  it("with contents: a unified diff for text, binary marked", async () => {
    const repo = await createRepo(local.client, { name: "diff-contents" });
    expect(repo.isOk()).toBe(true);
    const one = (
      await commitFiles(local.client, "diff-contents", {
        message: "one",
        author,
        files: { "a.txt": "one\ntwo\nthree\n", "b.bin": new Uint8Array([0, 1, 2]) },
      })
    )._unsafeUnwrap();
    const two = (
      await commitFiles(local.client, "diff-contents", {
        message: "two",
        author,
        files: { "a.txt": "one\n2\nthree\n", "b.bin": new Uint8Array([0, 1, 3]), "c.txt": "new\n" },
      })
    )._unsafeUnwrap();
    const diff = (
      await diffRefs(local.client, "diff-contents", { from: one.commit, to: two.commit, contents: true })
    )._unsafeUnwrap();
    const byPath = Object.fromEntries(diff.changes.map((change) => [change.path, change]));
    expect(byPath["a.txt"]?.patch).toBe("--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+2\n three\n");
    expect(byPath["b.bin"]).toMatchObject({ status: "modified", binary: true });
    expect(byPath["b.bin"]?.patch).toBeUndefined();
    expect(byPath["c.txt"]?.patch).toBe("--- /dev/null\n+++ b/c.txt\n@@ -0,0 +1 @@\n+new\n");
  });

  it("compares a fork with its source ({ repo }), and refuses another repo without a client", async () => {
    (await createRepo(local.client, { name: "diff-source" }))._unsafeUnwrap();
    const base = (
      await commitFiles(local.client, "diff-source", {
        message: "base",
        author,
        files: { "a.txt": "a\n", "keep/k.txt": "k\n" },
      })
    )._unsafeUnwrap();
    const fork = (await forkRepo(local.client, "diff-source", { name: "diff-fork" }))._unsafeUnwrap();
    const agent = (
      await commitFiles(local.client, "diff-fork", {
        message: "agent",
        author,
        files: { "a.txt": "A\n", "b.txt": "b\n" },
      })
    )._unsafeUnwrap();
    const diff = (
      await diffRefs(local.client, "diff-fork", { from: { repo: "diff-source" }, to: "main" })
    )._unsafeUnwrap();
    expect(diff.from).toBe(base.commit);
    expect(diff.to).toBe(agent.commit);
    expect(diff.changes.map(({ path, status }) => [path, status])).toEqual([
      ["a.txt", "modified"],
      ["b.txt", "added"],
    ]);
    const refused = await diffRefs(
      { remote: fork.remote, token: fork.token },
      { from: { repo: "diff-source" }, to: "main" },
    );
    expect(refused._unsafeUnwrapErr()).toMatchObject({ _tag: "InvalidInputError", field: "from" });
    const bad = await diffRefs(local.client, "diff-fork", { from: "a..b", to: "main" });
    expect(bad._unsafeUnwrapErr()).toMatchObject({ _tag: "InvalidInputError", field: "from" });
  });
});
