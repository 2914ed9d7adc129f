import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cherryPick, MergeConflict, revertCommits } from "../../src/git/index.js";
import { createRepo } from "../../src/index.js";
import { gitCli, tempDir } from "../support/git.js";
import { buildHistory, type History } from "../support/history.js";
import { useLocalServer } from "../support/local-server.js";

/** cherryPick and revertCommits judged by `git cherry-pick` and `git revert --no-edit`: trees, conflicted paths. */

const withFilter = useLocalServer();
const withoutFilter = useLocalServer({ gitFilter: false });
const picker = { name: "Pat Picker", email: "pat@example.com", timestamp: 1_767_300_000, timezoneOffset: 0 };
let history: History;
const ids: Record<string, string> = {};

beforeAll(async () => {
  history = await buildHistory();
  const log = await history.git(["log", "--all", "--format=%H %s"]);
  for (const line of log.split("\n")) ids[line.slice(41)] = line.slice(0, 40);
});

let count = 0;
async function pushed(local: typeof withFilter) {
  const name = `pick-${++count}`;
  const created = (await createRepo(local.client, { name }))._unsafeUnwrap();
  await history.push(created.remote, created.token);
  const bare = join(local.server.dataDir, `${local.server.state.findRepo("default", name)?.id}.git`);
  return { target: { remote: created.remote, token: created.token }, bare };
}

/** What git does on `branch` in a clone: the tree it ends at, or the paths it stops on. */
async function gitDoes(branch: string, command: string[]) {
  const clone = await tempDir("pick-clone-");
  await gitCli(["clone", "--quiet", history.dir, clone]);
  await gitCli(["checkout", "--quiet", "-B", "work", `origin/${branch}`], clone);
  const env = ["-c", `user.name=${picker.name}`, "-c", `user.email=${picker.email}`];
  const done = await gitCli([...env, ...command], clone);
  if (done.code === 0) return { tree: (await gitCli(["rev-parse", "HEAD^{tree}"], clone)).stdout.trim() };
  const conflicted = await gitCli(["diff", "--name-only", "--diff-filter=U"], clone);
  const status = await gitCli(["status", "--porcelain"], clone);
  return { conflicts: conflicted.stdout.split("\n").filter(Boolean).sort(), failure: `${done.stderr}${status.stdout}` };
}

const picks: [string, string, string[]][] = [
  ["an added file onto another branch", "side", ["side2: skewed"]],
  ["a change to a file the branch renamed", "side", ["side2: renamed"]],
  ["two commits in order", "side", ["side2: renamed", "side2: skewed"]],
  ["a change to a file the branch deleted", "main", ["side: b"]],
  ["a change the branch has already, then one it lacks", "side3", ["two", "side: x"]],
];
const reverts: [string, string, string[]][] = [
  ["an added file", "main", ["seven: a again"]],
  ["two commits in order", "main", ["seven: a again", "side3: z"]],
  ["a change later commits changed again", "main", ["three: c"]],
  ["a rename later commits built on", "main", ["four: rename"]],
];

describe.each([
  ["with filter", withFilter],
  ["without filter", withoutFilter],
])("%s", (_, local) => {
  it.each(picks)("cherryPick: %s, as git cherry-pick", async (_, branch, subjects) => {
    const { target, bare } = await pushed(local);
    const commits = subjects.map((subject) => ids[subject] as string);
    const git = await gitDoes(branch, ["cherry-pick", ...commits]);
    const picked = await cherryPick(target, { commits, into: branch, author: picker });
    await judge(git, picked, bare, branch);
    if (picked.isOk() && picked.value.commits.length > 0) {
      // Each keeps its author and message; the picker is the committer.
      const last = picked.value.commit;
      const source = commits.filter((commit) => !picked.value.skipped.includes(commit)).at(-1) as string;
      const show = (oid: string) => gitCli(["--git-dir", bare, "log", "-1", "--format=%an %ae %at%n%B", oid]);
      expect((await show(last)).stdout).toBe((await show(source)).stdout);
      expect((await gitCli(["--git-dir", bare, "log", "-1", "--format=%cn %ce %ct", last])).stdout.trim()).toBe(
        `${picker.name} ${picker.email} ${picker.timestamp}`,
      );
    }
  });

  it.each(reverts)("revertCommits: %s, as git revert --no-edit", async (_, branch, subjects) => {
    const { target, bare } = await pushed(local);
    const commits = subjects.map((subject) => ids[subject] as string);
    const git = await gitDoes(branch, ["revert", "--no-edit", ...commits]);
    const reverted = await revertCommits(target, { commits, branch, author: picker });
    await judge(git, reverted, bare, branch);
    if (reverted.isOk()) {
      const message = (await gitCli(["--git-dir", bare, "log", "-1", "--format=%B", reverted.value.commit])).stdout;
      expect(message).toBe(`Revert "${subjects.at(-1)}"\n\nThis reverts commit ${commits.at(-1)}.\n\n`);
    }
  });
});

async function judge(
  git: { tree?: string; conflicts?: string[]; failure?: string },
  result: Awaited<ReturnType<typeof cherryPick>>,
  bare: string,
  branch: string,
) {
  const head = async () => (await gitCli(["--git-dir", bare, "rev-parse", branch])).stdout.trim();
  if (git.tree !== undefined) {
    const done = result._unsafeUnwrap();
    expect((await gitCli(["--git-dir", bare, "rev-parse", `${done.commit}^{tree}`])).stdout.trim()).toBe(git.tree);
    expect(await head()).toBe(done.commit);
    expect((await gitCli(["--git-dir", bare, "fsck", "--strict", "--no-dangling"])).code).toBe(0);
    return;
  }
  const before = await head();
  const failure = result._unsafeUnwrapErr();
  expect(failure, git.failure).toBeInstanceOf(MergeConflict);
  expect((failure as MergeConflict).conflicts.map((conflict) => conflict.path).sort()).toEqual(git.conflicts);
  expect(await head()).toBe(before); // nothing pushed
}
