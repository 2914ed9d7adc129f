import { err, errAsync, ok, type Result, type ResultAsync } from "neverthrow";
import type { Client } from "../client.js";
import { type ArtifactsError, InvalidInputError } from "../errors.js";
import {
  type Access,
  type GitCallOptions,
  type GitRemote,
  type GitTarget,
  guard,
  reach,
  splitArgs,
  withAccess,
} from "./access.js";
import { changedPaths } from "./diff/trees.js";
import { GitError } from "./errors.js";
import { type Author, checkAuthor, isMessage, isRefName } from "./input.js";
import { MergeConflict, mergeTrees } from "./merge/tree.js";
import type { MergeRefsError } from "./merge.js";
import { isOid } from "./objects/hash.js";
import { ObjectLoader } from "./objects/loader.js";
import type { ArtifactsRepoHandle } from "./objects/sources.js";
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
const MAX_COMMITS = 100;

/**
 * Applies the changes of `commits` to the branch `into`, one new commit each, as `git cherry-pick` does. Takes the
 * three targets `commitFiles` takes.
 *
 * @example
 * const picked = await cherryPick(client, "notes", { commits: [fix], into: "release", author });
 * if (picked.isErr() && picked.error._tag === "MergeConflict") console.log(picked.error.commit, picked.error.conflicts);
 */
export function cherryPick(
  client: Client,
  repo: string,
  input: CherryPickInput,
  options?: GitCallOptions,
): ResultAsync<PickResult, MergeRefsError>;
export function cherryPick(
  target: ArtifactsRepoHandle | GitRemote,
  input: CherryPickInput,
  options?: GitCallOptions,
): ResultAsync<PickResult, MergeRefsError>;
export function cherryPick(target: GitTarget, ...rest: unknown[]): ResultAsync<PickResult, MergeRefsError> {
  return guard(() => {
    const [repo, input, options] = splitArgs<[CherryPickInput, GitCallOptions?]>(target, rest);
    const checked = checkPick(input, input?.into, "into");
    if (checked.isErr()) return errAsync(checked.error);
    return withAccess(reach(target, repo, undefined, "write", options ?? {}), (access) =>
      replay(access, checked.value, (_oid, picked, parentTree, tree) => ({
        base: parentTree,
        theirs: tree,
        commit: { ...picked, committer: checked.value.author },
      })),
    );
  });
}

/**
 * Undoes the changes of `commits` on `branch`, one new commit each, as `git revert --no-edit` does. Takes the three
 * targets `commitFiles` takes.
 *
 * @example
 * const reverted = await revertCommits(client, "notes", { commits: [bad], branch: "main", author });
 * if (reverted.isOk()) console.log(reverted.value.commit);
 */
export function revertCommits(
  client: Client,
  repo: string,
  input: RevertCommitsInput,
  options?: GitCallOptions,
): ResultAsync<PickResult, MergeRefsError>;
export function revertCommits(
  target: ArtifactsRepoHandle | GitRemote,
  input: RevertCommitsInput,
  options?: GitCallOptions,
): ResultAsync<PickResult, MergeRefsError>;
export function revertCommits(target: GitTarget, ...rest: unknown[]): ResultAsync<PickResult, MergeRefsError> {
  return guard(() => {
    const [repo, input, options] = splitArgs<[RevertCommitsInput, GitCallOptions?]>(target, rest);
    const checked = checkPick(input, input?.branch, "branch");
    if (checked.isErr()) return errAsync(checked.error);
    const message = input?.message;
    if (message !== undefined && !isMessage(message)) {
      return errAsync(new InvalidInputError("message must be a well-formed string without NUL", "message"));
    }
    return withAccess(reach(target, repo, undefined, "write", options ?? {}), (access) =>
      replay(access, checked.value, (oid, reverted, parentTree, tree) => ({
        base: tree,
        theirs: parentTree,
        commit: {
          ...reverted,
          author: checked.value.author,
          committer: checked.value.author,
          message: message ?? `Revert "${subject(reverted.message)}"\n\nThis reverts commit ${oid}.\n`,
        },
      })),
    );
  });
}

/** A message's first line, as git's `find_commit_subject` takes it for a revert's. */
const subject = (message: string) => message.replace(/^\n+/, "").split("\n")[0] ?? "";

interface CheckedPick {
  commits: string[];
  branch: string;
  author: Required<Author>;
  parent: string | undefined;
}

function checkPick(
  input: { commits?: unknown; author?: unknown; parent?: unknown } | undefined,
  branch: unknown,
  field: string,
): Result<CheckedPick, InvalidInputError> {
  const invalid = (text: string, at: string) => err(new InvalidInputError(text, at));
  if (typeof input !== "object" || input === null) return invalid("the input must be an object", "input");
  const { commits, parent } = input;
  if (!Array.isArray(commits) || commits.length === 0 || commits.length > MAX_COMMITS) {
    return invalid(`commits must be an array of 1 to ${MAX_COMMITS} commits`, "commits");
  }
  if (!commits.every((commit) => isOid(commit) || isRefName(commit))) {
    return invalid("commits must be commit ids, branches or tags", "commits");
  }
  if (!isRefName(branch)) return invalid(`${field} must be a branch name`, field);
  if (parent !== undefined && !isOid(parent)) return invalid("parent must be a commit id", "parent");
  return checkAuthor(input.author).map((author) => ({ commits: [...commits], branch, author, parent }));
}

/** How one commit is applied: the merge's base and theirs (trees; undefined: empty), and the new commit's fields. */
type Apply = (
  oid: string,
  commit: CommitObject,
  parentTree: string | undefined,
  tree: string,
) => { base: string | undefined; theirs: string | undefined; commit: Omit<CommitObject, "tree" | "parents"> };

async function replay(access: Access, input: CheckedPick, apply: Apply): Promise<Result<PickResult, Failure>> {
  const { remote } = access;
  const caps = await capabilities(remote);
  if (caps.isErr()) return err(caps.error);
  // The branch's head and what every commit names, in one ls-refs.
  const ref = `refs/heads/${input.branch}`;
  const refs = await refsNamed(remote, caps.value, [ref, ...input.commits.flatMap(namesOf)]);
  if (refs.isErr()) return err(refs.error);
  const start = refs.value.get(ref)?.oid;
  if (start === undefined) return err(new GitError("not-found", `no branch named ${input.branch}`));
  if (input.parent !== undefined && start !== input.parent) {
    return err(
      new GitError("conflict", `branch ${input.branch} is at ${start}, not at the expected parent ${input.parent}`),
    );
  }
  const commits: string[] = [];
  for (const named of input.commits) {
    const oid = resolvedIn(refs.value, named);
    if (oid.isErr()) return err(oid.error);
    commits.push(oid.value);
  }
  const store = new ObjectStore(remote.kept?.objects);
  const loader = new ObjectLoader(remote, caps.value, store, access.sources);
  // The commits with their root trees in one fetch, then their parents in another (where filter allows).
  const fetched = await loader.prefetch([start, ...commits], "commit");
  if (fetched.isErr()) return err(fetched.error);
  const treeOf = async (oid: string) => loader.commitTree(oid);
  const parents = new Map<string, string | undefined>();
  for (const oid of commits) {
    const tree = await treeOf(oid);
    if (tree.isErr()) return err(tree.error);
    const own = await store.parents(oid);
    if (own.length > 1)
      return err(
        new InvalidInputError(`commit ${oid} is a merge: pick or revert its parents' changes instead`, "commits"),
      );
    parents.set(oid, own[0]);
  }
  const parentCommits = [...parents.values()].filter((oid): oid is string => oid !== undefined);
  const fetchedParents = await loader.prefetch(parentCommits, "commit");
  if (fetchedParents.isErr()) return err(fetchedParents.error);

  let head = start;
  const headTree = await treeOf(start);
  if (headTree.isErr()) return err(headTree.error);
  let ours = headTree.value;
  const made: string[] = [];
  const skipped: string[] = [];
  const written: string[] = [];
  for (const oid of commits) {
    const tree = await treeOf(oid);
    if (tree.isErr()) return err(tree.error);
    const parent = parents.get(oid);
    let parentTree: string | undefined;
    if (parent !== undefined) {
      const read = await treeOf(parent);
      if (read.isErr()) return err(read.error);
      parentTree = read.value;
    }
    const step = apply(oid, await store.commitObject(oid), parentTree, tree.value);
    const theirs = step.theirs ?? (await store.writeTree([]));
    const merged = await mergeTrees(loader, loader, { base: step.base, ours, theirs });
    if (merged.isErr()) {
      const failure = merged.error;
      return err(failure instanceof MergeConflict ? new MergeConflict(failure.conflicts, oid) : failure);
    }
    if (merged.value.tree === ours) {
      skipped.push(oid);
      continue;
    }
    head = await store.writeCommit({ ...step.commit, tree: merged.value.tree, parents: [head] });
    ours = merged.value.tree;
    made.push(head);
    written.push(...merged.value.written, head);
  }
  if (made.length === 0) return ok({ commit: start, parents: [], commits: [], skipped, changed: [] });
  const changed = await changedPaths(loader, start, head);
  if (changed.isErr()) return err(changed.error);
  const update = { old: start, new: head, objects: store.pack(written) };
  const pushed = await pushOnto(remote, caps.value, input.branch, update, "applying the commits");
  if (pushed.isErr()) return err(pushed.error);
  const parentOfHead = made.length > 1 ? made.at(-2) : start;
  return ok({ commit: head, parents: [parentOfHead as string], commits: made, skipped, changed: changed.value });
}
