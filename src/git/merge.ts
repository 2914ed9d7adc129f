import { err, errAsync, ok, type Result, type ResultAsync } from "neverthrow";
import type { Client } from "../client.js";
import { InvalidInputError, TaggedError, type TransportError } from "../errors.js";
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
import { type Change, checkSpec, type Found, type RefSpec, type Side, walk } from "./diff.js";
import { type GitCallError, GitError } from "./errors.js";
import { isOid } from "./hash.js";
import { fetchMergeBases, mergeBases } from "./history.js";
import { type Author, checkCommit, isRefName, LONE_SURROGATE } from "./input.js";
import { fetchInto, ObjectLoader } from "./loader.js";
import { ObjectStore } from "./objects.js";
import type { GitObject } from "./pack.js";
import { select } from "./path.js";
import { pushRef } from "./push-ref.js";
import { namesOf, refsNamed, resolvedIn, resolveRef } from "./refs.js";
import { RENAME_SCORE, similarity } from "./similarity.js";
import type { Remote } from "./smart-http.js";
import type { ArtifactsRepoHandle } from "./sources.js";
import { type ByteString, decodeUtf8, fromUtf8, kindOf, type TreeEntry, toByteString, toBytes } from "./tree.js";
import { type Capabilities, capabilities } from "./upload-pack.js";
import { DiffFailed } from "./xdiff.js";
import { mergeText } from "./xmerge.js";

/**
 * Three-way merges without a clone. The merge base comes from the commit graph alone (fetched without trees or
 * blobs where the remote advertises `filter`); trees merge entry by entry, reading only what differs between the
 * base and the two sides; a file changed on both sides merges line by line as git does (xmerge.ts). What cannot
 * merge is a `MergeConflict`, and nothing is pushed.
 */

/**
 * One path that could not merge, with the bytes of each side that has it (`base`, `ours`: `into`, `theirs`: `from`):
 * `content` (both changed the same lines, or a symlink's or a submodule's target), `modify-delete`, `add-add` (added
 * on both sides, differently), `type` (a file on one side, a folder or a symlink on the other).
 *
 * @example
 * const conflict: MergeConflictEntry = { path: "a.txt", kind: "content", base, ours, theirs };
 */
export interface MergeConflictEntry {
  path: string;
  kind: "content" | "modify-delete" | "add-add" | "type" | "rename";
  base?: Uint8Array;
  ours?: Uint8Array;
  theirs?: Uint8Array;
}

/**
 * The merge found conflicts: `conflicts` says where and what each side holds. Nothing was pushed; resolve them with
 * `commitFiles` (with `parent`, the head of `into`).
 *
 * @example
 * if (result.isErr() && result.error._tag === "MergeConflict") for (const c of result.error.conflicts) console.log(c.path);
 */
export class MergeConflict extends TaggedError {
  declare readonly _tag: "MergeConflict";
  /** Of `cherryPick` or `revertCommits`: the commit whose change conflicted (the ones before it applied cleanly). */
  readonly commit?: string;

  constructor(
    readonly conflicts: MergeConflictEntry[],
    commit?: string,
  ) {
    super(
      "MergeConflict",
      `${commit ? `applying ${commit} has` : "the merge has"} ${conflicts.length} conflict(s): ` +
        conflicts.map((conflict) => conflict.path).join(", "),
    );
    if (commit !== undefined) this.commit = commit;
  }
}

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

type Failure = GitError | TransportError | InvalidInputError | MergeConflict;

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

/**
 * Moves `branch` from `old` to `new` with `objects`: a rejection because the branch moved meanwhile is a `conflict`
 * that says so (nothing was pushed over it), while `doing` what the call does.
 */
export async function pushOnto(
  remote: Remote,
  caps: Capabilities,
  branch: string,
  update: { old: string; new: string; objects: GitObject[] },
  doing: string,
): Promise<Result<void, Failure>> {
  const pushed = await pushRef(remote, caps, { ref: `refs/heads/${branch}`, ...update });
  return pushed.mapErr((error) =>
    error._tag === "RefMoved"
      ? new GitError("conflict", `branch ${branch} moved while ${doing}: nothing was pushed over it`)
      : error,
  );
}

/**
 * The three-way merge of the trees `ours` and `theirs` over `base` (undefined: the empty tree), as merge-ort makes
 * it (exact renames carried, line merges by xmerge.ts): the merged root and every object written for it, or the
 * conflicts. `there` reads `theirs` (another repo's loader, for a fork), `here` the rest.
 */
export async function mergeTrees(
  here: ObjectLoader,
  there: ObjectLoader,
  trees: {
    base: string | undefined;
    ours: string;
    theirs: string;
    resolutions?: ReadonlyMap<string, Uint8Array | null>;
  },
): Promise<Result<{ tree: string; written: string[] }, Failure>> {
  const { base, ours, theirs } = trees;
  const sides = await sideChanges(here, there, base, ours, theirs);
  if (sides.isErr()) return err(sides.error);
  const merger = new TreeMerge(here, there, trees.resolutions ?? new Map(), exactRenames(sides.value));
  const tree = await merger.merge(base, ours, theirs, "");
  if (tree.isErr()) return err(tree.error);
  if (merger.conflicts.length > 0) return err(new MergeConflict(merger.conflicts));
  const renames = await renameRisks(here, there, base, ours, theirs, sides.value);
  if (renames.isErr()) return err(renames.error);
  if (renames.value.length > 0) return err(new MergeConflict(renames.value));
  const root = tree.value ?? (await here.store.writeTree([]));
  return ok({ tree: root, written: [...merger.written, root] });
}

/** What each side changed since the base (none without a base: unrelated histories). */
interface SideChanges {
  mine: Found[];
  yours: Found[];
}

async function sideChanges(
  ours: ObjectLoader,
  theirs: ObjectLoader,
  base: string | undefined,
  oursTree: string,
  theirsTree: string,
): Promise<Result<SideChanges, Failure>> {
  if (base === undefined) return ok({ mine: [], yours: [] });
  const changes = (loader: ObjectLoader, root: string) =>
    walk({ loader: ours, commit: "", root: base }, { loader, commit: "", root }, select(undefined));
  // Side by side: each level's trees of both walks come in one fetch (the loader batches them).
  const [mine, yours] = await Promise.all([changes(ours, oursTree), changes(theirs, theirsTree)]);
  if (mine.isErr()) return err(mine.error);
  if (yours.isErr()) return err(yours.error);
  return ok({ mine: mine.value, yours: yours.value });
}

/**
 * A file one side renamed (deleted, and added elsewhere with the same bytes) and the other side changed at its old
 * path: git's exact rename detection carries that change to the new path, and so does the tree merge (`Move`).
 */
export interface Move {
  from: ByteString;
  to: ByteString;
  /** The side that renamed. */
  side: "ours" | "theirs";
  base: { mode: string; id: string };
  /** The other side's entry at `from`. */
  changed: { mode: string; id: string };
  /**
   * The other side added a different file at `to` (git's rename/add): `from` goes from every side, and `to` is the
   * conflict between the two additions, the one path git reports.
   */
  clash?: true;
}

const regular = (entry: { mode: string } | undefined) => entry?.mode === "100644" || entry?.mode === "100755";
const parentsOf = (path: ByteString) => {
  const parts = path.split("/");
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join("/"));
};

/**
 * The exact renames git would carry an edit along, each one unambiguous: one deleted file of that content and one
 * added on the renaming side, the new path free on the other side, no file on the way, no path moved twice. Where
 * git's choice is not that plain (it picks among candidates by name), no move: the entry merge's modify-delete
 * conflict stands, a conflict where git might merge, never another clean tree.
 */
function exactRenames({ mine, yours }: SideChanges): Move[] {
  const moves: Move[] = [];
  const touched = new Set([...mine, ...yours].map((found) => found.bytes));
  const find = (renamer: Found[], other: Found[], side: Move["side"]) => {
    const changed = new Map(other.filter((found) => found.change.after).map((found) => [found.bytes, found.change]));
    const deleted = renamer.filter((found) => found.change.status === "deleted" && regular(found.change.before));
    const added = renamer.filter((found) => found.change.status === "added" && regular(found.change.after));
    for (const source of deleted) {
      const edited = changed.get(source.bytes);
      const base = source.change.before;
      if (!edited?.before || !edited.after || !base) continue;
      const targets = added.filter((found) => found.change.after?.id === base.id);
      const sources = deleted.filter((found) => found.change.before?.id === base.id);
      const [target] = targets;
      if (!target || targets.length > 1 || sources.length > 1) continue;
      // The new path is free on the other side, or holds another file it added (a rename/add); the same file
      // added there too would hide the edit from the conflict: no move.
      const occupied = other.find((found) => found.bytes === target.bytes)?.change;
      if (occupied && (occupied.status !== "added" || occupied.after?.id === target.change.after?.id)) continue;
      if ([...parentsOf(source.bytes), ...parentsOf(target.bytes)].some((path) => touched.has(path))) continue;
      moves.push({
        from: source.bytes,
        to: target.bytes,
        side,
        base,
        changed: edited.after,
        ...(occupied ? { clash: true as const } : {}),
      });
    }
  };
  find(mine, yours, "ours");
  find(yours, mine, "theirs");
  const ends = moves.flatMap((move) => [move.from, move.to]);
  return new Set(ends).size === ends.length ? moves : [];
}

/**
 * Where git's rename detection (exact, inexact at 50 % similarity, directories) could make a merge other than the
 * entry-by-entry one this port makes, which carries exact renames only: a conflict then, never a different clean
 * tree. Both sides deleting one path while either adds another (a rename/rename, or a rename/delete, in git's eyes);
 * a side removing every file of a folder while the other adds into it (a directory rename would carry the addition).
 */
async function renameRisks(
  ours: ObjectLoader,
  theirs: ObjectLoader,
  base: string | undefined,
  oursTree: string,
  theirsTree: string,
  sides: SideChanges,
): Promise<Result<MergeConflictEntry[], Failure>> {
  if (base === undefined) return ok([]);
  const paths = (list: Found[], status: Change["status"]) =>
    new Set(list.filter(({ change }) => change.status === status).map(({ change }) => change.path));
  const deletedThere = paths(sides.yours, "deleted");
  const [addedHere, addedThere] = [paths(sides.mine, "added"), paths(sides.yours, "added")];
  const risks: MergeConflictEntry[] = [];
  // A path both deleted, and a file either added that git would call its rename (the same bytes, or 50 % alike).
  const gone = sides.mine.filter(({ change }) => change.status === "deleted" && deletedThere.has(change.path));
  const added = (list: Found[]) => list.filter(({ change }) => change.status === "added");
  const [newHere, newThere] = [added(sides.mine), added(sides.yours)];
  const renamed = await renamedOf(
    ours,
    gone.map(({ change }) => change),
    [
      [ours, newHere],
      [theirs, newThere],
    ],
  );
  if (renamed.isErr()) return err(renamed.error);
  for (const change of renamed.value) risks.push({ path: change.path, kind: "rename" });
  // A folder of the base that one side emptied, and the other added into.
  const folders = (path: string) =>
    path
      .split("/")
      .slice(0, -1)
      .map((_, i, parts) => `${parts.slice(0, i + 1).join("/")}/`);
  // git renames a folder only where that side renamed a file out of it: one of its deleted files is alike to a
  // file it added elsewhere.
  const emptied = async (loader: ObjectLoader, root: string, changes: Found[], into: Set<string>) => {
    const found: MergeConflictEntry[] = [];
    for (const path of into) {
      for (const folder of folders(path)) {
        const there = await folderExists(loader, root, folder.slice(0, -1));
        const before = await folderExists(ours, base, folder.slice(0, -1));
        if (there.isErr()) return err(there.error);
        if (before.isErr()) return err(before.error);
        if (!before.value || there.value) continue;
        const movedOut = changes.filter(({ change }) => change.status === "deleted" && change.path.startsWith(folder));
        const renamed = await renamedOf(
          loader,
          movedOut.map(({ change }) => change),
          [[loader, added(changes)]],
        );
        if (renamed.isErr()) return err(renamed.error);
        if (renamed.value.length > 0) {
          found.push({ path, kind: "rename" });
          break;
        }
      }
    }
    return ok(found);
  };
  // Only a side that also added elsewhere may have renamed the folder.
  const intoOurs = addedHere.size > 0 ? await emptied(ours, oursTree, sides.mine, addedThere) : ok([]);
  if (intoOurs.isErr()) return err(intoOurs.error);
  const intoTheirs = addedThere.size > 0 ? await emptied(theirs, theirsTree, sides.yours, addedHere) : ok([]);
  if (intoTheirs.isErr()) return err(intoTheirs.error);
  return ok([...risks, ...intoOurs.value, ...intoTheirs.value]);
}

/**
 * The deleted files git's rename detection could pair with one of the added files: the same bytes, or (regular
 * files both) 50 % alike. Deleted files' bytes come through `loader`, each added file's through its own; one fetch
 * each.
 */
async function renamedOf(
  loader: ObjectLoader,
  deleted: Change[],
  candidates: [ObjectLoader, Found[]][],
): Promise<Result<Change[], Failure>> {
  const others = candidates.flatMap(([from, found]) => found.map(({ change }) => [from, change.after] as const));
  if (deleted.length === 0 || others.length === 0) return ok([]);
  const files = (entries: (Change["before"] | undefined)[]) =>
    entries.flatMap((entry) => (regular(entry) ? [entry?.id as string] : []));
  const loaded = await Promise.all([
    loader.blobs(files(deleted.map((change) => change.before))),
    ...candidates.map(([from, found]) => from.blobs(files(found.map(({ change }) => change.after)))),
  ]);
  for (const result of loaded) if (result.isErr()) return err(result.error);
  const renamed: Change[] = [];
  for (const change of deleted) {
    const before = change.before as { mode: string; id: string };
    for (const [from, after] of others) {
      const alike =
        after?.id === before.id ||
        (regular(before) &&
          regular(after) &&
          similarity(await loader.store.blob(before.id), await from.store.blob(after?.id as string)) >= RENAME_SCORE);
      if (alike) {
        renamed.push(change);
        break;
      }
    }
  }
  return ok(renamed);
}

/** Whether `root` holds the folder `path` (UTF-8, `/`-separated), its trees loaded as needed. */
async function folderExists(loader: ObjectLoader, root: string, path: string): Promise<Result<boolean, Failure>> {
  let tree = root;
  for (const name of path.split("/")) {
    const loaded = await loader.trees([tree]);
    if (loaded.isErr()) return err(loaded.error);
    const entry = (await loader.store.tree(tree)).find((item) => item.name === fromUtf8(name));
    if (!entry || kindOf(entry.mode) !== "tree") return ok(false);
    tree = entry.oid;
  }
  return ok(true);
}

/** What differs between two commits of `into`'s repo, as paths. */
export async function changedPaths(
  loader: ObjectLoader,
  before: string,
  after: string,
): Promise<Result<string[], Failure>> {
  const side = async (commit: string): Promise<Result<Side, Failure>> =>
    (await loader.commitTree(commit)).map((root) => ({ loader, commit, root }));
  const [from, to] = [await side(before), await side(after)];
  if (from.isErr()) return err(from.error);
  if (to.isErr()) return err(to.error);
  return (await walk(from.value, to.value, select(undefined))).map((found) => found.map(({ change }) => change.path));
}

/**
 * The tree to merge against: the one base's, the empty tree's for unrelated histories, or for two bases the virtual
 * base merge-ort makes, their own merge (recursively, against their own bases). Where that inner merge conflicts,
 * git keeps the markers in the virtual base and may still merge cleanly; this port cannot say what git would, so the
 * merge is refused as a conflict, never given a clean result git might not give. Likewise past two bases.
 */
async function baseTreeOf(
  loader: ObjectLoader,
  store: ObjectStore,
  bases: readonly string[],
  depth = 0,
): Promise<Result<string | undefined, Failure>> {
  if (bases.length === 0) return ok(undefined);
  if (bases.length === 1) return loader.commitTree(bases[0] as string);
  const [one, two] = bases as [string, string];
  if (bases.length > 2 || depth > 8) {
    return err(new GitError("conflict", `${bases.length} merge bases (${bases.join(", ")}): merge these by hand`));
  }
  const inner = await baseTreeOf(loader, store, await mergeBases(store, one, two), depth + 1);
  if (inner.isErr()) return inner;
  const [treeOne, treeTwo] = [await loader.commitTree(one), await loader.commitTree(two)];
  if (treeOne.isErr()) return treeOne;
  if (treeTwo.isErr()) return treeTwo;
  const virtual = new TreeMerge(loader, loader, new Map());
  const merged = await virtual.merge(inner.value, treeOne.value, treeTwo.value, "");
  if (merged.isErr()) return merged;
  if (virtual.conflicts.length > 0) {
    return err(
      new GitError(
        "conflict",
        `the merge bases ${one} and ${two} (a criss-cross history) conflict with each other on ` +
          `${virtual.conflicts.map((conflict) => conflict.path).join(", ")}: merge these by hand`,
      ),
    );
  }
  return merged;
}

const same = (a: TreeEntry | undefined, b: TreeEntry | undefined) =>
  a === undefined ? b === undefined : b !== undefined && a.oid === b.oid && a.mode === b.mode;

/** Trees merged entry by entry; what merges is written, what does not is collected in `conflicts`. */
class TreeMerge {
  readonly conflicts: MergeConflictEntry[] = [];
  readonly written: string[] = [];

  constructor(
    private readonly ours: ObjectLoader,
    private readonly theirs: ObjectLoader,
    /** The caller's resolutions of conflicting paths (see `MergeRefsInput.resolutions`). */
    private readonly resolutions: ReadonlyMap<string, Uint8Array | null>,
    /** Exact renames to carry: the base's and the other side's entry taken from `from` to `to`. */
    private readonly moves: readonly Move[] = [],
  ) {}

  /** Applies the moves whose ends lie in this folder to its three entry maps. */
  private relocate(
    prefix: ByteString,
    b: Map<ByteString, TreeEntry>,
    o: Map<ByteString, TreeEntry>,
    t: Map<ByteString, TreeEntry>,
  ) {
    const within = (path: ByteString) =>
      path.startsWith(prefix) && !path.slice(prefix.length).includes("/") ? path.slice(prefix.length) : undefined;
    for (const move of this.moves) {
      const other = move.side === "ours" ? t : o;
      const from = within(move.from);
      if (from !== undefined) {
        b.delete(from);
        other.delete(from);
      }
      const to = within(move.to);
      if (to !== undefined && !move.clash) {
        b.set(to, { mode: move.base.mode, name: to, oid: move.base.id });
        other.set(to, { mode: move.changed.mode, name: to, oid: move.changed.id });
      }
    }
  }

  /** Whether a move has an end inside the folder `path`: it must be entered even where it looks unchanged. */
  private holdsMove(path: ByteString) {
    return this.moves.some((move) => move.from.startsWith(`${path}/`) || move.to.startsWith(`${path}/`));
  }

  /** The merged tree's id, undefined when it is empty. */
  async merge(
    base: string | undefined,
    ours: string | undefined,
    theirs: string | undefined,
    prefix: ByteString,
  ): Promise<Result<string | undefined, Failure>> {
    const entries = async (loader: ObjectLoader, oid: string | undefined) => {
      if (oid === undefined) return ok(new Map<ByteString, TreeEntry>());
      const loaded = await loader.trees([oid]);
      if (loaded.isErr()) return err(loaded.error);
      const list = await loader.store.tree(oid);
      const byName = new Map(list.map((entry) => [entry.name, entry]));
      // Two entries of one name (git fsck's duplicateEntries): merging would keep one and lose the other silently.
      if (byName.size !== list.length) {
        const names = list.map((entry) => entry.name);
        const twice = names.find((name, index) => names.indexOf(name) !== index) ?? "";
        return err(
          new GitError("protocol", `tree ${oid} holds two entries named ${JSON.stringify(decodeUtf8(twice) ?? twice)}`),
        );
      }
      return ok(byName);
    };
    const [b, o, t] = [
      await entries(this.ours, base),
      await entries(this.ours, ours),
      await entries(this.theirs, theirs),
    ];
    if (b.isErr()) return err(b.error);
    if (o.isErr()) return err(o.error);
    if (t.isErr()) return err(t.error);
    this.relocate(prefix, b.value, o.value, t.value);
    // The files both sides changed, read in one batch per side for the whole folder, not one request each.
    const names = [...new Set([...b.value.keys(), ...o.value.keys(), ...t.value.keys()])];
    const contested = names
      .map((name) => [b.value.get(name), o.value.get(name), t.value.get(name)] as const)
      .filter(([was, mine, yours]) => !same(mine, yours) && !same(was, yours) && !same(was, mine));
    const blob = (entry: TreeEntry | undefined) => (entry && kindOf(entry.mode) === "blob" ? [entry.oid] : []);
    const [here, there] = await Promise.all([
      this.ours.blobs(contested.flatMap(([was, mine]) => [...blob(was), ...blob(mine)])),
      this.theirs.blobs(contested.flatMap(([, , yours]) => blob(yours))),
    ]);
    if (here.isErr()) return err(here.error);
    if (there.isErr()) return err(there.error);
    const result: TreeEntry[] = [];
    for (const name of names) {
      const [was, mine, yours] = [b.value.get(name), o.value.get(name), t.value.get(name)];
      const path = `${prefix}${name}`;
      let entry: TreeEntry | undefined;
      if (this.holdsMove(path)) {
        // exactRenames made sure every side has a folder here, or nothing.
        const tree = await this.merge(was?.oid, mine?.oid, yours?.oid, `${path}/`);
        if (tree.isErr()) return err(tree.error);
        const named = (mine ?? yours ?? was) as TreeEntry;
        entry = tree.value ? { mode: named.mode, name, oid: tree.value } : undefined;
      } else if (same(mine, yours) || same(was, yours)) entry = mine;
      else if (same(was, mine)) entry = yours;
      else {
        const merged = await this.mergeEntry(path, was, mine, yours);
        if (merged.isErr()) return err(merged.error);
        entry = merged.value;
      }
      if (entry) result.push(entry);
    }
    if (result.length === 0) return ok(undefined);
    const tree = await this.ours.store.writeTree(result);
    if (ours === undefined || tree !== ours) this.written.push(tree);
    return ok(tree);
  }

  /** An entry both sides changed, differently. */
  private async mergeEntry(
    path: ByteString,
    was: TreeEntry | undefined,
    mine: TreeEntry | undefined,
    yours: TreeEntry | undefined,
  ): Promise<Result<TreeEntry | undefined, Failure>> {
    const kind = (entry: TreeEntry | undefined) => (entry ? kindOf(entry.mode) : undefined);
    const shown = decodeUtf8(path) ?? path;
    // Folders on both sides merge entry by entry; so does a folder one side deleted and the other changed, as git
    // merges it: each file the other side did not touch simply goes, its own changes are judged one by one.
    // A file both sides made a folder is, to git, a file both deleted and two folders added: merged from nothing.
    const folder = (entry: TreeEntry | undefined) => entry === undefined || kind(entry) === "tree";
    const bothFolders = kind(mine) === "tree" && kind(yours) === "tree";
    if (
      bothFolders ||
      (folder(mine) &&
        folder(yours) &&
        folder(was) &&
        (kind(mine) === "tree" || kind(yours) === "tree") &&
        (kind(was) === "tree" || (mine && yours)))
    ) {
      const tree = await this.merge(kind(was) === "tree" ? was?.oid : undefined, mine?.oid, yours?.oid, `${path}/`);
      const named = (mine ?? yours) as TreeEntry;
      return tree.map((oid) => (oid ? { mode: named.mode, name: named.name, oid } : undefined));
    }
    const conflict = async (kindOfConflict: MergeConflictEntry["kind"]) => {
      const resolution = this.resolutions.get(shown);
      if (resolution === null) return ok(undefined);
      if (resolution !== undefined) {
        const oid = await this.ours.store.writeBlob(resolution);
        this.written.push(oid);
        const file = [mine, yours, was].find((entry) => entry && kind(entry) === "blob");
        return ok({ mode: file?.mode ?? "100644", name: (mine ?? yours ?? was)?.name ?? "", oid });
      }
      const bytes = async (loader: ObjectLoader, entry: TreeEntry | undefined) => {
        if (!entry || kind(entry) === "tree" || kind(entry) === "gitlink") return undefined;
        const loaded = await loader.blobs([entry.oid]);
        return loaded.isOk() ? loader.store.blob(entry.oid) : undefined;
      };
      this.conflicts.push({
        path: shown,
        kind: kindOfConflict,
        ...(await optional("base", bytes(this.ours, was))),
        ...(await optional("ours", bytes(this.ours, mine))),
        ...(await optional("theirs", bytes(this.theirs, yours))),
      });
      return ok(mine);
    };
    if (!mine || !yours) return conflict("modify-delete");
    if (kind(mine) !== kind(yours)) return conflict(was ? "type" : "add-add");
    if (!was) return conflict("add-add");
    if (kind(was) !== kind(mine)) return conflict("type");
    // A symlink or a submodule has no lines to merge: two new targets are a content conflict.
    if (kind(mine) !== "blob") return conflict("content");
    // Both changed a file: its lines merged three ways, its mode from whichever side changed it.
    const loaded = await Promise.all([this.ours.blobs([was.oid, mine.oid]), this.theirs.blobs([yours.oid])]);
    for (const result of loaded) if (result.isErr()) return err(result.error);
    const [base, ours, theirs] = await Promise.all([
      this.ours.store.blob(was.oid),
      this.ours.store.blob(mine.oid),
      this.theirs.store.blob(yours.oid),
    ]);
    const mode = mine.mode === was.mode ? yours.mode : mine.mode;
    if (yours.mode !== was.mode && mine.mode !== was.mode && yours.mode !== mine.mode) return conflict("content");
    const text = mergeLines(base, ours, theirs);
    if (text === undefined) return conflict("content");
    const oid = await this.ours.store.writeBlob(text);
    this.written.push(oid);
    return ok({ mode, name: mine.name, oid });
  }
}

async function optional<K extends string>(key: K, value: Promise<Uint8Array | undefined>) {
  const bytes = await value;
  return (bytes === undefined ? {} : { [key]: bytes }) as Partial<Record<K, Uint8Array>>;
}

/**
 * A three-way merge of a file's lines as merge-ort's `ll_xdl_merge` makes it, bytes as they are; undefined where git
 * reports a conflict: a conflict of lines, or a binary file (a NUL in its first 8,000 bytes, git's
 * `buffer_is_binary`), which git never merges by line.
 */
function mergeLines(base: Uint8Array, ours: Uint8Array, theirs: Uint8Array): Uint8Array | undefined {
  const binary = (bytes: Uint8Array) => bytes.subarray(0, 8000).includes(0);
  if (binary(base) || binary(ours) || binary(theirs)) return undefined;
  try {
    const merged = mergeText(toByteString(base), toByteString(ours), toByteString(theirs));
    return merged === undefined ? undefined : toBytes(merged);
  } catch (error) {
    // Where git's own diff gives up, git fails the merge: a conflict is the honest answer.
    if (error instanceof DiffFailed) return undefined;
    throw error;
  }
}
