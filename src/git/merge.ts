import { err, ok, type ResultAsync, safeTry } from "neverthrow";
import type { Access } from "./access.js";
import { type GitCall, gitCall } from "./call.js";
import { changedPaths } from "./diff/trees.js";
import { type GitCallError, GitError } from "./errors.js";
import type { RefSpec } from "./input.js";
import { type Author, type CheckedMerge, checkMerge } from "./input.js";
import { fetchMergeBases } from "./merge/base.js";
import { baseTreeOf, type MergeConflict, mergeTrees } from "./merge/tree.js";
import { fetchInto, ObjectLoader } from "./objects/loader.js";
import { ObjectStore } from "./objects/store.js";
import { pushOnto } from "./wire/push-ref.js";
import { namesOf, refsNamed, resolvedIn, resolveRef } from "./wire/refs.js";
import { capabilities } from "./wire/upload-pack.js";

export { MergeConflict, type MergeConflictEntry } from "./merge/tree.js";

/**
 * Three-way merges without a clone. The merge base comes from the commit graph alone (fetched without trees or
 * blobs where the remote advertises `filter`); trees merge entry by entry, reading only what differs between the
 * base and the two sides; a file changed on both sides merges line by line as git does (xmerge.ts). What cannot
 * merge is a `MergeConflict`, and nothing is pushed.
 */

/**
 * What `mergeRefs`, `cherryPick` and `revertCommits` fail with: a `MergeConflict` (nothing pushed), or any `./git`
 * call's error.
 *
 * @example
 * const fail = (error: MergeRefsError) => (error._tag === "MergeConflict" ? error.conflicts : error.message);
 */
export type MergeRefsError = MergeConflict | GitCallError;

/**
 * What `mergeRefs` merges, into which branch, and how.
 *
 * @example
 * const input: MergeRefsInput = { from: { repo: "agent-a" }, into: "main", author, fastForward: "allow" };
 */
export interface MergeRefsInput {
  /** A branch, tag or commit of the target repo, or `{ repo, ref? }`: a fork of it (client form only). */
  from: RefSpec;
  /** The branch that takes the merge. */
  into: string;
  /** Default: `Merge <from> into <into>`. */
  message?: string;
  author: Author;
  /** Compare-and-swap on `into`: the head it must have. */
  parent?: string;
  /** One commit with `into` as its only parent, instead of a merge commit (never a fast-forward). */
  squash?: boolean;
  /** `allow` (default): move `into` when it is an ancestor of `from`; `never`: always a merge commit; `only`: fail otherwise. */
  fastForward?: "allow" | "never" | "only";
  /**
   * Histories without a common commit are refused, as git refuses them ("refusing to merge unrelated histories"),
   * unless this is true: then they merge as two additions to an empty tree.
   */
  allowUnrelatedHistories?: boolean;
  /**
   * How to finish the paths a merge would conflict on, by path (as `MergeConflictEntry.path` names them): new bytes
   * or text, or `null` to delete the path. The merge is then made with both parents, so the branch is merged for
   * good: merging it again is `alreadyMerged`. Paths that do not conflict are merged as usual, whatever is given.
   */
  resolutions?: Record<string, Uint8Array | string | null>;
}

/**
 * The commit `into` now points at, its parents, whether it was a fast-forward, and the paths that changed on
 * `into`, all computed before anything is pushed. Already merged (`from` is in `into`'s history) or a squash that
 * changes nothing: nothing is made, `commit` is `into`'s head and `parents` is empty.
 *
 * @example
 * const result = await mergeRefs(client, "notes", input);
 * if (result.isOk()) {
 *   const { commit, parents, fastForward, changed }: MergeRefsResult = result.value;
 * }
 */
export interface MergeRefsResult {
  commit: string;
  /** The new commit's parents: `[into, from]`, `[into]` for a squash; empty when nothing was made. */
  parents: string[];
  /** `into` was moved to `from` itself (then `parents` is empty). */
  fastForward: boolean;
  /** `from` was already in `into`'s history: nothing was made or pushed. */
  alreadyMerged: boolean;
  /** A squash whose tree is `into`'s own (merged before, by a squash): nothing was made or pushed. */
  unchanged: boolean;
  changed: string[];
}

type Failure = MergeRefsError;

/**
 * Merges `from` into the branch `into`, three-way, without a clone; from a fork into its source, the fork's commits
 * and objects reach the source (or one squashed commit). Takes the three targets `commitFiles` takes.
 *
 * @function
 * @example
 * const merged = await mergeRefs(client, "baseline", { from: { repo: "agent-a" }, into: "main", author });
 * if (merged.isErr() && merged.error._tag === "MergeConflict") console.log(merged.error.conflicts);
 */
export const mergeRefs: GitCall<MergeRefsInput, MergeRefsResult, MergeRefsError> = gitCall({
  scope: "write",
  check: checkMerge,
  run: (here, input, { repo, reach }) =>
    safeTry(async function* () {
      const fromRepo = typeof input.from === "string" ? undefined : input.from.repo;
      const there = fromRepo === undefined || fromRepo === repo ? here : yield* reach(fromRepo, "read");
      return merge(here, there, input);
    }),
});

function merge(here: Access, there: Access, input: CheckedMerge): ResultAsync<MergeRefsResult, Failure> {
  return safeTry(async function* () {
    const same = there === here;
    const [capsHere, capsThere] = same
      ? await capabilities(here.remote).then((caps) => [caps, caps] as const)
      : await Promise.all([capabilities(here.remote), capabilities(there.remote)]);
    const [oursCaps, theirsCaps] = [yield* capsHere, yield* capsThere];
    // `into`'s head, and (from the same repo) what `from` names, in one ls-refs.
    const ref = `refs/heads/${input.into}`;
    const spec = typeof input.from === "string" ? input.from : input.from.ref;
    const fromRef = spec === undefined || spec === "HEAD" ? there.defaultBranch : spec; // HEAD: the default branch
    const refs = yield* await refsNamed(here.remote, oursCaps, [ref, ...(same ? namesOf(fromRef) : [])]);
    const ours = refs.get(ref)?.oid;
    if (ours === undefined) return err(new GitError("not-found", `no branch named ${input.into}`));
    if (input.parent !== undefined && ours !== input.parent) {
      return err(
        new GitError("conflict", `branch ${input.into} is at ${ours}, not at the expected parent ${input.parent}`),
      );
    }
    const theirs = yield* same ? resolvedIn(refs, fromRef) : await resolveRef(there.remote, theirsCaps, fromRef);

    // The commit graph, as deep as the merge bases lie, without trees or blobs where filter is advertised.
    const store = new ObjectStore(here.remote.kept?.objects);
    const loaderHere = new ObjectLoader(here.remote, oursCaps, store, here.sources);
    const loaderThere = same ? loaderHere : new ObjectLoader(there.remote, theirsCaps, store, there.sources);
    const bases = yield* await fetchMergeBases(
      store,
      { remote: here.remote, caps: oursCaps, loader: loaderHere, commit: ours },
      { remote: there.remote, caps: theirsCaps, loader: loaderThere, commit: theirs },
    );
    // `from` must name a commit: an id of something else (a tree's) is said to be so, by the store's GitError.
    if (!store.has(theirs)) yield* await loaderThere.commitTree(theirs);
    await store.parents(theirs);
    const unchanged = { commit: ours, parents: [], fastForward: false, changed: [], unchanged: false };
    if (bases.includes(theirs) || ours === theirs) return ok({ ...unchanged, alreadyMerged: true });
    if (bases.length === 0 && !input.allowUnrelatedHistories) {
      return err(
        new GitError("conflict", "refusing to merge unrelated histories (allowUnrelatedHistories: true merges them)"),
      );
    }
    const base = bases.length === 1 ? bases[0] : undefined;
    const canForward = base === ours && !input.squash && input.fastForward !== "never";
    if (!canForward && input.fastForward === "only") {
      return err(new GitError("conflict", `${input.into} cannot be fast-forwarded to ${theirs}: they have diverged`));
    }

    // Objects of `from` that `into`'s repo may not have: passed on with the push.
    const carried = same
      ? []
      : yield* await fetchInto(there.remote, theirsCaps, store, { wants: [theirs], haves: [ours] });
    let commit = theirs;
    let written: string[] = [];
    let parents = [ours, theirs];
    if (!canForward) {
      // The root trees of the bases and both heads, in one fetch where the remote can send trees alone.
      if (loaderHere.shares(loaderThere)) {
        const held = [...bases, ours, theirs].filter((oid) => store.has(oid));
        const roots = await Promise.all(held.map((oid) => store.commitTree(oid)));
        yield* await loaderHere.prefetch(roots, "tree");
      }
      // Several merge bases (a criss-cross history): merged into one virtual base, as merge-ort does.
      const baseTree = yield* await baseTreeOf(loaderHere, store, bases);
      const oursTree = yield* await loaderHere.commitTree(ours);
      const theirsTree = yield* await loaderThere.commitTree(theirs);
      const merged = yield* await mergeTrees(loaderHere, loaderThere, {
        base: baseTree,
        ours: oursTree,
        theirs: theirsTree,
        resolutions: input.resolutions,
      });
      // A squash of what `into` already holds (squashed before): nothing to commit.
      if (input.squash && merged.tree === oursTree) return ok({ ...unchanged, alreadyMerged: false, unchanged: true });
      parents = input.squash ? [ours] : [ours, theirs];
      const from =
        typeof input.from === "string" ? input.from : `${input.from.repo}${input.from.ref ? `:${input.from.ref}` : ""}`;
      commit = await store.writeCommit({
        tree: merged.tree,
        parents,
        author: input.author,
        committer: input.author,
        message: input.message ?? `Merge ${from} into ${input.into}`,
      });
      written = [...merged.written, commit];
    }
    // Everything the result reports, known before the push: once pushed, the call can only succeed.
    const changed = yield* await changedPaths(loaderHere, ours, commit);
    const objects = store.pack([...carried, ...written]);
    yield* await pushOnto(here.remote, oursCaps, input.into, { old: ours, new: commit, objects }, "merging");
    return ok({
      commit,
      parents: canForward ? [] : parents,
      fastForward: canForward,
      alreadyMerged: false,
      unchanged: false,
      changed,
    });
  });
}
