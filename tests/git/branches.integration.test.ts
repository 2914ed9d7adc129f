import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commitFiles, createBranch, deleteBranch, disposeGit, listRefs } from "../../src/git/index.js";
import { createRepo } from "../../src/index.js";
import { gitCli } from "../support/git.js";
import { useLocalServer } from "../support/local-server.js";

/** Branches and tags without a clone, judged by git on the local server's bare repositories. */

const author = { name: "Ada Agent", email: "ada@example.com", timestamp: 1_764_000_000, timezoneOffset: 0 };
const local = useLocalServer();

const git = async (repo: string, args: string[]) => {
  const dir = join(local.server.dataDir, `${local.server.state.findRepo("default", repo)?.id}.git`);
  const result = await gitCli(["--git-dir", dir, ...args]);
  return result.stdout.trim();
};
let count = 0;
async function seeded() {
  const name = `branches-${++count}`;
  const created = (await createRepo(local.client, { name }))._unsafeUnwrap();
  const first = (await commitFiles(local.client, name, { message: "one", author, files: { a: "1" } }))._unsafeUnwrap();
  return { name, created, first };
}

describe("listRefs", () => {
  it("reports HEAD's branch, every branch and every tag (annotated ones peeled), as git has them", async () => {
    const { name, created, first } = await seeded();
    const second = (
      await commitFiles(local.client, name, {
        message: "two",
        author,
        files: { b: "2" },
        branch: "feature/x",
        from: "main",
      })
    )._unsafeUnwrap();
    await git(name, ["tag", "light", first.commit]);
    await git(name, ["tag", "-a", "v1", "-m", "release", second.commit]);
    const refs = (await listRefs(local.client, name))._unsafeUnwrap();
    expect(refs).toEqual({
      head: "main",
      branches: { main: first.commit, "feature/x": second.commit },
      tags: { light: first.commit, v1: second.commit },
    });
    // The same through { remote, token }.
    expect((await listRefs({ remote: created.remote, token: created.token }))._unsafeUnwrap()).toEqual(refs);
  });

  it("of an empty repo: HEAD names its unborn branch, and nothing else is there", async () => {
    const created = (await createRepo(local.client, { name: "empty-refs", default_branch: "trunk" }))._unsafeUnwrap();
    expect((await listRefs(local.client, created.name))._unsafeUnwrap()).toEqual({
      head: "trunk",
      branches: {},
      tags: {},
    });
  });
});

describe("createBranch and deleteBranch", () => {
  it("create a branch at a branch, a tag or a commit, without sending objects; refuse one that exists", async () => {
    const { name, first } = await seeded();
    expect((await createBranch(local.client, name, { name: "copy", from: "main" }))._unsafeUnwrap()).toEqual({
      name: "copy",
      commit: first.commit,
    });
    await git(name, ["tag", "t1", first.commit]);
    expect((await createBranch(local.client, name, { name: "from-tag", from: "t1" }))._unsafeUnwrap().commit).toBe(
      first.commit,
    );
    expect((await createBranch(local.client, name, { name: "by-id", from: first.commit }))._unsafeUnwrap().commit).toBe(
      first.commit,
    );
    expect(await git(name, ["for-each-ref", "--format=%(refname) %(objectname)", "refs/heads"])).toBe(
      [
        `refs/heads/by-id ${first.commit}`,
        `refs/heads/copy ${first.commit}`,
        `refs/heads/from-tag ${first.commit}`,
        `refs/heads/main ${first.commit}`,
      ].join("\n"),
    );
    const again = (await createBranch(local.client, name, { name: "copy", from: "main" }))._unsafeUnwrapErr();
    expect(again).toMatchObject({ _tag: "GitError", reason: "conflict" });
    const missing = (await createBranch(local.client, name, { name: "x", from: "no-such" }))._unsafeUnwrapErr();
    expect(missing).toMatchObject({ _tag: "GitError", reason: "not-found" });
    await expect(git(name, ["fsck", "--strict", "--no-dangling"])).resolves.toBe("");
  });

  it("delete a branch, with compare-and-swap on its head", async () => {
    const { name, first } = await seeded();
    (await createBranch(local.client, name, { name: "gone", from: "main" }))._unsafeUnwrap();
    (await createBranch(local.client, name, { name: "kept", from: "main" }))._unsafeUnwrap();
    const stale = (await deleteBranch(local.client, name, { name: "kept", parent: "0".repeat(40) }))._unsafeUnwrapErr();
    expect(stale).toMatchObject({ _tag: "GitError", reason: "conflict" });
    expect((await deleteBranch(local.client, name, { name: "gone", parent: first.commit }))._unsafeUnwrap()).toEqual({
      name: "gone",
      commit: first.commit,
    });
    expect((await deleteBranch(local.client, name, { name: "gone" }))._unsafeUnwrapErr()).toMatchObject({
      _tag: "GitError",
      reason: "not-found",
    });
    expect(await git(name, ["for-each-ref", "--format=%(refname)", "refs/heads"])).toBe(
      "refs/heads/kept\nrefs/heads/main",
    );
  });

  it("refuse bad names before anything is sent; the calls after them use the kept token", async () => {
    const { name } = await seeded();
    const id = local.server.state.findRepo("default", name)?.id;
    const tokens = () => [...local.server.state.tokens.values()].filter((token) => token.repoId === id);
    const before = tokens().length;
    for (const [input, field] of [
      [{ name: "HEAD", from: "main" }, "name"],
      [{ name: "a..b", from: "main" }, "name"],
      [{ name: "ok", from: "-x" }, "from"],
    ] as const) {
      expect((await createBranch(local.client, name, input))._unsafeUnwrapErr()).toMatchObject({
        _tag: "InvalidInputError",
        field,
      });
    }
    expect((await deleteBranch(local.client, name, { name: "main", parent: "main" }))._unsafeUnwrapErr()).toMatchObject(
      {
        _tag: "InvalidInputError",
        field: "parent",
      },
    );
    expect(tokens()).toHaveLength(before);
    (await listRefs(local.client, name))._unsafeUnwrap();
    (await createBranch(local.client, name, { name: "b", from: "main" }))._unsafeUnwrap();
    // The seeding commit's write token serves both: none minted, and it is revoked when the client is disposed.
    expect(tokens()).toHaveLength(before);
    await disposeGit(local.client);
    expect(
      tokens()
        .slice(1)
        .every((token) => token.revoked),
    ).toBe(true);
  });
});
