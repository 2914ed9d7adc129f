import { err, errAsync, ok, type Result, type ResultAsync } from "neverthrow";
import type { Client } from "../client.js";
import { InvalidInputError } from "../errors.js";
import {
  type Access,
  type GitCallOptions,
  type GitRemote,
  type GitTarget,
  guard,
  isClient,
  reach,
  splitArgs,
  withAccess,
} from "./access.js";
import { changedPaths } from "./diff/trees.js";
import { checkSpec, type RefSpec } from "./diff.js";
import { type GitCallError, GitError } from "./errors.js";
import { type Author, checkCommit, isRefName, LONE_SURROGATE } from "./input.js";
import { fetchMergeBases } from "./merge/base.js";
import { baseTreeOf, type MergeConflict, mergeTrees } from "./merge/tree.js";
import { isOid } from "./objects/hash.js";
import { fetchInto, ObjectLoader } from "./objects/loader.js";
import type { ArtifactsRepoHandle } from "./objects/sources.js";
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
 * @example
 * const merged = await mergeRefs(client, "baseline", { from: { repo: "agent-a" }, into: "main", author });
 * if (merged.isErr() && merged.error._tag === "MergeConflict") console.log(merged.error.conflicts);
 */
export function mergeRefs(
  client: Client,
  repo: string,
  input: MergeRefsInput,
  options?: GitCallOptions,
): ResultAsync<MergeRefsResult, MergeRefsError>;
export function mergeRefs(
  target: ArtifactsRepoHandle | GitRemote,
  input: MergeRefsInput,
  options?: GitCallOptions,
): ResultAsync<MergeRefsResult, MergeRefsError>;
export function mergeRefs(target: GitTarget, ...rest: unknown[]): ResultAsync<MergeRefsResult, MergeRefsError> {
  return guard(() => {
    const [repo, input, options = {}] = splitArgs<[MergeRefsInput, GitCallOptions?]>(target, rest);
    const checked = checkMerge(input, isClient(target));
    if (checked.isErr()) return errAsync(checked.error);
    const fromRepo = typeof input?.from === "string" ? undefined : input?.from.repo;
    return withAccess<MergeRefsResult, MergeConflict>(
      reach(target, repo, undefined, "write", options),
      async (here) => {
        if (fromRepo === undefined || fromRepo === repo) return merge(here, here, checked.value);
        const there = await reach(target, fromRepo, undefined, "read", options);
        if (there.isErr()) return err(there.error);
        return merge(here, there.value, checked.value);
      },
    );
  });
}

interface Checked {
  allowUnrelatedHistories: boolean;
  resolutions: Map<string, Uint8Array | null>;
  from: RefSpec;
  into: string;
  message: string | undefined;
  author: Required<Author>;
  parent: string | undefined;
  squash: boolean;
  fastForward: "allow" | "never" | "only";
}

function checkMerge(input: MergeRefsInput | undefined, client: boolean): Result<Checked, InvalidInputError> {
  const refused = (message: string, field: string) => err(new InvalidInputError(message, field));
  if (typeof input !== "object" || input === null) return refused("the merge must be an object", "input");
  const { from, into, message, author, parent, squash, fastForward, allowUnrelatedHistories, resolutions } = input;
  if (allowUnrelatedHistories !== undefined && typeof allowUnrelatedHistories !== "boolean") {
    return refused("allowUnrelatedHistories must be a boolean", "allowUnrelatedHistories");
  }
  const resolved = new Map<string, Uint8Array | null>();
  if (resolutions !== undefined) {
    if (typeof resolutions !== "object" || resolutions === null || Array.isArray(resolutions)) {
      return refused("resolutions must be an object of path → bytes, text or null", "resolutions");
    }
    for (const [path, content] of Object.entries(resolutions)) {
      if (content === null || content instanceof Uint8Array) resolved.set(path, content);
      else if (typeof content === "string" && !LONE_SURROGATE.test(content))
        resolved.set(path, new TextEncoder().encode(content));
      else
        return refused(`resolutions: ${JSON.stringify(path)} must be bytes, well-formed text or null`, "resolutions");
    }
  }
  // As diffRefs checks it, `ref` of another repo included.
  const wrong = checkSpec("from", from, client);
  if (wrong) return err(wrong);
  if (!isRefName(into)) return refused("into must be a valid branch name (not HEAD)", "into");
  if (parent !== undefined && !isOid(parent)) return refused("parent must be a commit id (40 lowercase hex)", "parent");
  if (squash !== undefined && typeof squash !== "boolean") return refused("squash must be a boolean", "squash");
  if (fastForward !== undefined && !["allow", "never", "only"].includes(fastForward)) {
    return refused('fastForward must be "allow", "never" or "only"', "fastForward");
  }
  // The commit's metadata, checked as commitFiles checks it.
  const commit = checkCommit({ message: message ?? "merge", author, files: {} });
  if (commit.isErr()) return err(commit.error);
  return ok({
    allowUnrelatedHistories: allowUnrelatedHistories ?? false,
    resolutions: resolved,
    from,
    into,
    message,
    author: commit.value.author,
    parent,
    squash: squash ?? false,
    fastForward: fastForward ?? "allow",
  });
}

async function merge(here: Access, there: Access, input: Checked): Promise<Result<MergeRefsResult, Failure>> {
  const [capsHere, capsThere] =
    there === here
      ? await capabilities(here.remote).then((caps) => [caps, caps] as const)
      : await Promise.all([capabilities(here.remote), capabilities(there.remote)]);
  if (capsHere.isErr()) return err(capsHere.error);
  if (capsThere.isErr()) return err(capsThere.error);
  // `into`'s head, and (from the same repo) what `from` names, in one ls-refs.
  const ref = `refs/heads/${input.into}`;
  const spec = typeof input.from === "string" ? input.from : input.from.ref;
  const fromRef = spec === undefined || spec === "HEAD" ? there.defaultBranch : spec; // HEAD: the default branch
  const refs = await refsNamed(here.remote, capsHere.value, [ref, ...(there === here ? namesOf(fromRef) : [])]);
  if (refs.isErr()) return err(refs.error);
  const ours = refs.value.get(ref)?.oid;
  if (ours === undefined) return err(new GitError("not-found", `no branch named ${input.into}`));
  if (input.parent !== undefined && ours !== input.parent) {
    return err(
      new GitError("conflict", `branch ${input.into} is at ${ours}, not at the expected parent ${input.parent}`),
    );
  }
  const theirs =
    there === here ? resolvedIn(refs.value, fromRef) : await resolveRef(there.remote, capsThere.value, fromRef);
  if (theirs.isErr()) return err(theirs.error);

  // The commit graph, as deep as the merge bases lie, without trees or blobs where filter is advertised.
  const store = new ObjectStore(here.remote.kept?.objects);
  const loaderHere = new ObjectLoader(here.remote, capsHere.value, store, here.sources);
  const loaderThere =
    there === here ? loaderHere : new ObjectLoader(there.remote, capsThere.value, store, there.sources);
  const bases = await fetchMergeBases(
    store,
    { remote: here.remote, caps: capsHere.value, loader: loaderHere, commit: ours },
    { remote: there.remote, caps: capsThere.value, loader: loaderThere, commit: theirs.value },
  );
  if (bases.isErr()) return err(bases.error);
  // `from` must name a commit: an id of something else (a tree's) is said to be so, by the store's GitError.
  if (!store.has(theirs.value)) {
    const named = await loaderThere.commitTree(theirs.value);
    if (named.isErr()) return err(named.error);
  }
  await store.parents(theirs.value);
  const unchanged = { commit: ours, parents: [], fastForward: false, changed: [], unchanged: false };
  if (bases.value.includes(theirs.value) || ours === theirs.value) return ok({ ...unchanged, alreadyMerged: true });
  if (bases.value.length === 0 && !input.allowUnrelatedHistories) {
    return err(
      new GitError("conflict", "refusing to merge unrelated histories (allowUnrelatedHistories: true merges them)"),
    );
  }
  const base = bases.value.length === 1 ? bases.value[0] : undefined;
  const canForward = base === ours && !input.squash && input.fastForward !== "never";
  if (!canForward && input.fastForward === "only") {
    return err(
      new GitError("conflict", `${input.into} cannot be fast-forwarded to ${theirs.value}: they have diverged`),
    );
  }

  // Objects of `from` that `into`'s repo may not have: passed on with the push.
  let carried: string[] = [];
  if (there !== here) {
    const missing = await fetchInto(there.remote, capsThere.value, store, { wants: [theirs.value], haves: [ours] });
    if (missing.isErr()) return err(missing.error);
    carried = missing.value;
  }
  let commit = theirs.value;
  let written: string[] = [];
  let parents = [ours, theirs.value];
  if (!canForward) {
    // The root trees of the bases and both heads, in one fetch where the remote can send trees alone.
    if (loaderHere.shares(loaderThere)) {
      const held = [...bases.value, ours, theirs.value].filter((oid) => store.has(oid));
      const roots = await Promise.all(held.map((oid) => store.commitTree(oid)));
      const fetched = await loaderHere.prefetch(roots, "tree");
      if (fetched.isErr()) return err(fetched.error);
    }
    // Several merge bases (a criss-cross history): merged into one virtual base, as merge-ort does.
    const baseTree = await baseTreeOf(loaderHere, store, bases.value);
    if (baseTree.isErr()) return err(baseTree.error);
    const [oursTree, theirsTree] = [await loaderHere.commitTree(ours), await loaderThere.commitTree(theirs.value)];
    if (oursTree.isErr()) return err(oursTree.error);
    if (theirsTree.isErr()) return err(theirsTree.error);
    const merged = await mergeTrees(loaderHere, loaderThere, {
      base: baseTree.value,
      ours: oursTree.value,
      theirs: theirsTree.value,
      resolutions: input.resolutions,
    });
    if (merged.isErr()) return err(merged.error);
    const root = merged.value.tree;
    // A squash of what `into` already holds (squashed before): nothing to commit.
    if (input.squash && root === oursTree.value) return ok({ ...unchanged, alreadyMerged: false, unchanged: true });
    parents = input.squash ? [ours] : [ours, theirs.value];
    const from =
      typeof input.from === "string" ? input.from : `${input.from.repo}${input.from.ref ? `:${input.from.ref}` : ""}`;
    commit = await store.writeCommit({
      tree: root,
      parents,
      author: input.author,
      committer: input.author,
      message: input.message ?? `Merge ${from} into ${input.into}`,
    });
    written = [...merged.value.written, commit];
  }
  // Everything the result reports, known before the push: once pushed, the call can only succeed.
  const changed = await changedPaths(loaderHere, ours, commit);
  if (changed.isErr()) return err(changed.error);
  const objects = store.pack([...carried, ...written]);
  const pushed = await pushOnto(
    here.remote,
    capsHere.value,
    input.into,
    { old: ours, new: commit, objects },
    "merging",
  );
  if (pushed.isErr()) return err(pushed.error);
  return ok({
    commit,
    parents: canForward ? [] : parents,
    fastForward: canForward,
    alreadyMerged: false,
    unchanged: false,
    changed: changed.value,
  });
}
