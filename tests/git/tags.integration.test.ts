import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commitFiles, createTag, deleteTag, listRefs } from "../../src/git/index.js";
import { createRepo } from "../../src/index.js";
import { gitCli, tempDir } from "../support/git.js";
import { useLocalServer } from "../support/local-server.js";

/** Tags without a clone, judged by git on the local server's bare repositories: `ls-remote --tags`, `fsck`, `tag -a`. */

const author = { name: "Ada Agent", email: "ada@example.com", timestamp: 1_764_000_000, timezoneOffset: 0 };
const tagger = { name: "Release Bot", email: "bot@example.com", timestamp: 1_764_000_600, timezoneOffset: -120 };
const local = useLocalServer();

const bare = (repo: string) => join(local.server.dataDir, `${local.server.state.findRepo("default", repo)?.id}.git`);
const git = async (repo: string, args: string[]) => (await gitCli(["--git-dir", bare(repo), ...args])).stdout.trim();
/** `git ls-remote --tags` of the repo: what a clone would see. */
const lsRemoteTags = async (repo: string) => (await gitCli(["ls-remote", "--tags", bare(repo)])).stdout.trim();
let count = 0;
async function seeded() {
  const name = `tags-${++count}`;
  const created = (await createRepo(local.client, { name }))._unsafeUnwrap();
  const first = (await commitFiles(local.client, name, { message: "one", author, files: { a: "1" } }))._unsafeUnwrap();
  return { name, target: { remote: created.remote, token: created.token }, first };
}

describe("createTag", () => {
  it("makes a lightweight tag: a ref naming the commit, as git ls-remote --tags has it", async () => {
    const { name, target, first } = await seeded();
    expect((await createTag(target, { name: "v1", from: "main" }))._unsafeUnwrap()).toEqual({
      name: "v1",
      commit: first.commit,
    });
    expect(await lsRemoteTags(name)).toBe(`${first.commit}\trefs/tags/v1`);
    expect((await listRefs(target))._unsafeUnwrap().tags).toEqual({ v1: first.commit });
  });

  it("makes an annotated tag byte for byte as `git tag -a -m` does, which git fsck --strict accepts", async () => {
    const { name, target, first } = await seeded();
    const made = (
      await createTag(target, { name: "v2.0", from: first.commit, message: "Second release\r\n\n", tagger })
    )._unsafeUnwrap();
    // git, in a clone, tags the same commit with the same tagger and time.
    const clone = await tempDir();
    await gitCli(["clone", "--quiet", "--bare", bare(name), clone]);
    const env = ["-c", "user.name=Release Bot", "-c", "user.email=bot@example.com"];
    process.env.GIT_COMMITTER_DATE = "1764000600 +0200";
    try {
      await gitCli(["--git-dir", clone, ...env, "tag", "-a", "theirs", "-m", "Second release", first.commit]);
    } finally {
      delete process.env.GIT_COMMITTER_DATE;
    }
    const theirs = (await gitCli(["--git-dir", clone, "cat-file", "tag", "theirs"])).stdout;
    const ours = await git(name, ["cat-file", "tag", "v2.0"]);
    expect(`${ours}\n`).toBe(theirs.replace("tag theirs\n", "tag v2.0\n"));
    expect(made).toEqual({ name: "v2.0", commit: first.commit, tag: await git(name, ["rev-parse", "v2.0"]) });
    expect(await lsRemoteTags(name)).toBe(`${made.tag}\trefs/tags/v2.0\n${first.commit}\trefs/tags/v2.0^{}`);
    expect((await gitCli(["--git-dir", bare(name), "fsck", "--strict", "--no-dangling"])).code).toBe(0);
    expect((await listRefs(target))._unsafeUnwrap().tags).toEqual({ "v2.0": first.commit });
  });

  it("tags what a branch, another tag or HEAD names", async () => {
    const { name, target, first } = await seeded();
    (await createTag(target, { name: "a", from: "HEAD" }))._unsafeUnwrap();
    (await createTag(target, { name: "b", from: "a", message: "b", tagger }))._unsafeUnwrap();
    expect((await createTag(target, { name: "c", from: "b" }))._unsafeUnwrap().commit).toBe(first.commit);
    expect(await git(name, ["rev-parse", "a^{commit}", "b^{commit}", "c^{commit}"])).toBe(
      [first.commit, first.commit, first.commit].join("\n"),
    );
  });

  it("refuses a tag that exists (a conflict) and a `from` that names nothing (not-found), changing nothing", async () => {
    const { name, target, first } = await seeded();
    (await createTag(target, { name: "v1", from: "main" }))._unsafeUnwrap();
    (await commitFiles(target, { message: "two", author, files: { a: "2" } }))._unsafeUnwrap();
    expect((await createTag(target, { name: "v1", from: "main" }))._unsafeUnwrapErr()).toMatchObject({
      _tag: "GitError",
      reason: "conflict",
      message: `tag v1 already exists (at ${first.commit})`,
    });
    expect((await createTag(target, { name: "v9", from: "nope" }))._unsafeUnwrapErr()).toMatchObject({
      reason: "not-found",
    });
    expect(await lsRemoteTags(name)).toBe(`${first.commit}\trefs/tags/v1`);
  });

  it("refuses bad input before anything is sent", async () => {
    const { target } = await seeded();
    const sent: string[] = [];
    const cases: [Record<string, unknown>, string][] = [
      [{ name: "a..b", from: "main" }, "name"],
      [{ name: "v1", from: "-x" }, "from"],
      [{ name: "v1", from: "main", message: "m" }, "tagger"],
      [{ name: "v1", from: "main", message: "m", tagger: { name: "A <a>", email: "a@b" } }, "tagger"],
      [{ name: "v1", from: "main", tagger }, "message"],
      [{ name: "v1", from: "main", message: "a\0b", tagger }, "message"],
    ];
    for (const [input, field] of cases) {
      const made = await createTag(
        {
          ...target,
          token: () => {
            sent.push("asked");
            return target.token;
          },
        },
        input as never,
      );
      expect(made._unsafeUnwrapErr(), JSON.stringify(input)).toMatchObject({ _tag: "InvalidInputError", field });
    }
    expect(sent).toEqual([]);
  });
});

describe("deleteTag", () => {
  it("deletes a tag, annotated or not, with `parent` as the commit it names; a tag gone is not-found", async () => {
    const { name, target, first } = await seeded();
    const annotated = (await createTag(target, { name: "v1", from: "main", message: "v1", tagger }))._unsafeUnwrap();
    (await createTag(target, { name: "light", from: "main" }))._unsafeUnwrap();
    expect((await deleteTag(target, { name: "v1", parent: "1".repeat(40) }))._unsafeUnwrapErr()).toMatchObject({
      reason: "conflict",
      message: `tag v1 is at ${first.commit}, not at the expected parent ${"1".repeat(40)}`,
    });
    expect((await deleteTag(target, { name: "v1", parent: first.commit }))._unsafeUnwrap()).toEqual({
      name: "v1",
      commit: first.commit,
    });
    expect((await deleteTag(target, { name: "light", parent: first.commit }))._unsafeUnwrap().commit).toBe(
      first.commit,
    );
    expect(await lsRemoteTags(name)).toBe("");
    expect((await deleteTag(target, { name: "v1" }))._unsafeUnwrapErr()).toMatchObject({
      reason: "not-found",
      message: "no tag named v1",
    });
    expect(annotated.tag).toMatch(/^[0-9a-f]{40}$/);
  });
});
