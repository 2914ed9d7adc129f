import { err, ok, Result, type ResultAsync, safeTry } from "neverthrow";
import { type ArtifactsError, InvalidInputError } from "../errors.js";
import type { Access } from "./access.js";
import { type GitCall, gitCall } from "./call.js";
import { changedPaths } from "./diff/trees.js";
import { GitError } from "./errors.js";
import { type Author, type CheckedPick, checkPick } from "./input.js";
import { MergeConflict, mergeTrees } from "./merge/tree.js";
import type { MergeRefsError } from "./merge.js";
import { ObjectLoader } from "./objects/loader.js";
import { type CommitObject, ObjectStore } from "./objects/store.js";
import { pushOnto } from "./wire/push-ref.js";
import { namesOf, refsNamed, resolvedIn } from "./wire/refs.js";
import { capabilities } from "./wire/upload-pack.js";

/**
 * Cherry-pick and revert without a clone, on mergeRefs' machinery: each commit's change against its parent merged
 * three ways onto the branch (cherry-pick: base the parent, theirs the commit; revert: base the commit, theirs its
 * parent), as `git cherry-pick` and `git revert` merge it. One new commit each, all pushed at once at the end; a
 * conflict is a `MergeConflict` naming the commit, and nothing is pushed.
 */

/**
 * What `cherryPick` carries, and onto which branch.
 *
 * @example
 * const input: CherryPickInput = { commits: [fix], into: "release", author };
 */
export interface CherryPickInput {
  /** Commit ids (or branches and tags, for their head), applied in this order. Merges are refused. */
  commits: string[];
  /** The branch that takes them. */
  into: string;
  /** Who picks them: each new commit's committer. Each keeps its own author and message, as git cherry-pick does. */
  author: Author;
  /** Compare-and-swap on `into`: the head it must have. */
  parent?: string;
}

/**
 * What `revertCommits` undoes, and on which branch.
 *
 * @example
 * const input: RevertCommitsInput = { commits: [bad], branch: "main", author };
 */
export interface RevertCommitsInput {
  /** Commit ids (or branches and tags, for their head), reverted in this order. Merges are refused. */
  commits: string[];
  branch: string;
  /** Each revert's message. Default git's: `Revert "<subject>"`, a blank line, `This reverts commit <id>.` */
  message?: string;
  /** Each revert's author and committer. */
  author: Author;
  /** Compare-and-swap on `branch`: the head it must have. */
  parent?: string;
}

/**
 * The branch's new head and its parents, every commit made (in order), the commits whose change was already there
 * (dropped: nothing to commit, no commit made), and the paths that changed on the branch. With every commit
 * dropped, nothing is pushed: `commit` is the branch's head and `parents` is empty.
 *
 * @example
 * const result = await cherryPick(client, "notes", input);
 * if (result.isOk()) {
 *   const { commit, commits, changed }: PickResult = result.value;
 * }
 */
export interface PickResult {
  commit: string;
  parents: string[];
  commits: string[];
  skipped: string[];
  changed: string[];
}

type Failure = GitError | ArtifactsError | MergeConflict;

/**
 * Applies the changes of `commits` to the branch `into`, one new commit each, as `git cherry-pick` does. Takes the
 * three targets `commitFiles` takes.
 *
 * @function
 * @example
 * const picked = await cherryPick(client, "notes", { commits: [fix], into: "release", author });
 * if (picked.isErr() && picked.error._tag === "MergeConflict") console.log(picked.error.commit, picked.error.conflicts);
 */
export const cherryPick: GitCall<CherryPickInput, PickResult, MergeRefsError> = gitCall({
  scope: "write",
  check: (input) => checkPick(input, "into"),
  run: (access, checked) =>
    replay(access, checked, (_oid, picked, parentTree, tree) => ({
      base: parentTree,
      theirs: tree,
      commit: { ...picked, committer: checked.author },
    })),
});

/**
 * Undoes the changes of `commits` on `branch`, one new commit each, as `git revert --no-edit` does. Takes the three
 * targets `commitFiles` takes.
 *
 * @function
 * @example
 * const reverted = await revertCommits(client, "notes", { commits: [bad], branch: "main", author });
 * if (reverted.isOk()) console.log(reverted.value.commit);
 */
export const revertCommits: GitCall<RevertCommitsInput, PickResult, MergeRefsError> = gitCall({
  scope: "write",
  check: (input) => checkPick(input, "branch"),
  run: (access, checked) =>
    replay(access, checked, (oid, reverted, parentTree, tree) => ({
      base: tree,
      theirs: parentTree,
      commit: {
        ...reverted,
        author: checked.author,
        committer: checked.author,
        message: checked.message ?? `Revert "${subject(reverted.message)}"\n\nThis reverts commit ${oid}.\n`,
      },
    })),
});

/** A message's first line, as git's `find_commit_subject` takes it for a revert's. */
const subject = (message: string) => message.replace(/^\n+/, "").split("\n")[0] ?? "";

/** How one commit is applied: the merge's base and theirs (trees; undefined: empty), and the new commit's fields. */
type Apply = (
  oid: string,
  commit: CommitObject,
  parentTree: string | undefined,
  tree: string,
) => { base: string | undefined; theirs: string | undefined; commit: Omit<CommitObject, "tree" | "parents"> };

function replay(access: Access, input: CheckedPick, apply: Apply): ResultAsync<PickResult, Failure> {
  return safeTry(async function* () {
    const { remote } = access;
    const caps = yield* await capabilities(remote);
    // The branch's head and what every commit names, in one ls-refs.
    const ref = `refs/heads/${input.branch}`;
    const refs = yield* await refsNamed(remote, caps, [ref, ...input.commits.flatMap(namesOf)]);
    const start = refs.get(ref)?.oid;
    if (start === undefined) return err(new GitError("not-found", `no branch named ${input.branch}`));
    if (input.parent !== undefined && start !== input.parent) {
      return err(
        new GitError("conflict", `branch ${input.branch} is at ${start}, not at the expected parent ${input.parent}`),
      );
    }
    const commits = yield* Result.combine(input.commits.map((named) => resolvedIn(refs, named)));
    const store = new ObjectStore(remote.kept?.objects);
    const loader = new ObjectLoader(remote, caps, store, access.sources);
    // The commits with their root trees in one fetch, then their parents in another (where filter allows).
    yield* await loader.prefetch([start, ...commits], "commit");
    const parents = new Map<string, string | undefined>();
    for (const oid of commits) {
      yield* await loader.commitTree(oid);
      const own = await store.parents(oid);
      if (own.length > 1) {
        return err(
          new InvalidInputError(`commit ${oid} is a merge: pick or revert its parents' changes instead`, "commits"),
        );
      }
      parents.set(oid, own[0]);
    }
    yield* await loader.prefetch(
      [...parents.values()].filter((oid): oid is string => oid !== undefined),
      "commit",
    );

    let head = start;
    let ours = yield* await loader.commitTree(start);
    const made: string[] = [];
    const skipped: string[] = [];
    const written: string[] = [];
    for (const oid of commits) {
      const tree = yield* await loader.commitTree(oid);
      const parent = parents.get(oid);
      const parentTree = parent === undefined ? undefined : yield* await loader.commitTree(parent);
      const step = apply(oid, await store.commitObject(oid), parentTree, tree);
      const theirs = step.theirs ?? (await store.writeTree([]));
      // A conflict names the commit whose change conflicted.
      const merged = yield* (await mergeTrees(loader, loader, { base: step.base, ours, theirs })).mapErr((failure) =>
        failure instanceof MergeConflict ? new MergeConflict(failure.conflicts, oid) : failure,
      );
      if (merged.tree === ours) {
        skipped.push(oid);
        continue;
      }
      head = await store.writeCommit({ ...step.commit, tree: merged.tree, parents: [head] });
      ours = merged.tree;
      made.push(head);
      written.push(...merged.written, head);
    }
    if (made.length === 0) return ok({ commit: start, parents: [], commits: [], skipped, changed: [] });
    const changed = yield* await changedPaths(loader, start, head);
    const update = { old: start, new: head, objects: store.pack(written) };
    yield* await pushOnto(remote, caps, input.branch, update, "applying the commits");
    const parentOfHead = made.length > 1 ? made.at(-2) : start;
    return ok({ commit: head, parents: [parentOfHead as string], commits: made, skipped, changed });
  });
}
