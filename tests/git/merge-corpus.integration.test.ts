import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commitFiles, createBranch, type MergeConflict, mergeRefs } from "../../src/git/index.js";
import { createRepo } from "../../src/index.js";
import { gitCli } from "../support/git.js";
import { useLocalServer } from "../support/local-server.js";
import { type Case, corpus } from "../support/text-corpus.js";

/**
 * The line merge's corpus (xmerge.integration.test.ts) through `mergeRefs` on the local server, judged by
 * `git merge-tree --write-tree` on the same commits: each case is one file of one repo, so a merge of the repo
 * merges every case; the paths that conflict here are git's, and a repo of the cases git merges cleanly merges here to
 * git's tree id.
 */

const CASES = process.env.STRESS ? 5000 : 300;
const author = { name: "Ada Agent", email: "ada@example.com", timestamp: 1_764_000_000, timezoneOffset: 0 };
const local = useLocalServer();
const bare = (repo: string) => join(local.server.dataDir, `${local.server.state.findRepo("default", repo)?.id}.git`);
const bytes = (text: string) => Buffer.from(text, "latin1");

let repos = 0;
/** A repo whose main and agent hold each case's two sides off its base; what mergeRefs and git make of them. */
async function mergeBoth(cases: readonly [number, Case][]) {
  const name = `corpus-${++repos}`;
  (await createRepo(local.client, { name }))._unsafeUnwrap();
  const side = (pick: (item: Case) => string) =>
    Object.fromEntries(cases.map(([n, item]) => [`f${n}`, bytes(pick(item))]));
  const commit = async (branch: string, files: Record<string, Uint8Array>) => {
    const made = await commitFiles(local.client, name, { message: branch, author, files, branch });
    if (made.isErr()) throw new Error(made.error.message);
    return made.value.commit;
  };
  await commit(
    "main",
    side((item) => item.base),
  );
  (await createBranch(local.client, name, { name: "agent", from: "main" }))._unsafeUnwrap();
  const ours = await commit(
    "main",
    side((item) => item.ours),
  );
  const theirs = await commit(
    "agent",
    side((item) => item.theirs),
  );
  const git = await gitCli(["--git-dir", bare(name), "merge-tree", "--write-tree", "--name-only", ours, theirs]);
  const [tree = "", ...rest] = git.stdout.split("\n");
  const gitConflicts = git.code === 1 ? rest.slice(0, rest.indexOf("")) : [];
  const merged = await mergeRefs(local.client, name, { from: "agent", into: "main", author });
  const treeHere = merged.isOk()
    ? (await gitCli(["--git-dir", bare(name), "rev-parse", `${merged.value.commit}^{tree}`])).stdout.trim()
    : undefined;
  const conflictsHere =
    merged.isErr() && merged.error._tag === "MergeConflict"
      ? (merged.error as MergeConflict).conflicts.map((conflict) => conflict.path)
      : [];
  return { gitTree: tree, gitConflicts, treeHere, conflictsHere, error: merged.isErr() ? merged.error : undefined };
}

const order = (paths: string[]) => [...paths].sort();

describe("mergeRefs on the line merge's corpus, judged by git merge-tree", () => {
  it(`conflicts where git does on ${CASES} cases, and merges git's clean ones to git's tree`, async () => {
    const cases = [...corpus(CASES).entries()];
    const all = await mergeBoth(cases);
    expect(all.error?._tag).toBe("MergeConflict");
    expect(order(all.conflictsHere)).toEqual(order(all.gitConflicts));
    const conflicted = new Set(all.gitConflicts);
    const clean = cases.filter(([n]) => !conflicted.has(`f${n}`));
    expect(clean.length).toBeGreaterThan(CASES / 10);
    const merged = await mergeBoth(clean);
    expect([merged.error, merged.gitConflicts]).toEqual([undefined, []]);
    expect(merged.treeHere).toBe(merged.gitTree);
  }, 600_000);
});
