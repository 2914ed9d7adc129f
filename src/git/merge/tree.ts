import { err, ok, Result, safeTry } from "neverthrow";
import { TaggedError } from "../../errors.js";
import { type Change, type Found, walk } from "../diff/trees.js";
import { DiffFailed } from "../diff/xdiff.js";
import { type GitCallError, GitError } from "../errors.js";
import { isBinary } from "../objects/binary.js";
import type { ObjectLoader } from "../objects/loader.js";
import { select } from "../objects/path.js";
import type { ObjectStore } from "../objects/store.js";
import {
  type ByteString,
  decodeUtf8,
  fromUtf8,
  kindOf,
  namedPath,
  type TreeEntry,
  toByteString,
  toBytes,
} from "../objects/tree.js";
import { mergeBases } from "./base.js";
import { RENAME_SCORE, similarity } from "./similarity.js";
import { mergeText } from "./xmerge.js";

/**
 * The tree merge, as merge-ort makes it: trees entry by entry, reading only what differs between the base and the two
 * sides; exact renames carried; a file changed on both sides merged line by line (xmerge.ts); several merge bases
 * merged into one virtual base. What cannot merge is collected as conflicts.
 */

type Failure = GitCallError | MergeConflict;

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
  /** The path's bytes, set when they are not valid UTF-8: `path` is then a lossy rendering of them. */
  pathBytes?: Uint8Array;
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
  return safeTry(async function* () {
    const { base, ours, theirs } = trees;
    const sides = yield* await sideChanges(here, there, base, ours, theirs);
    const merger = new TreeMerge(here, there, trees.resolutions ?? new Map(), exactRenames(sides));
    const tree = yield* await merger.merge(base, ours, theirs, "");
    if (merger.conflicts.length > 0) return err(new MergeConflict(merger.conflicts));
    const renames = yield* await renameRisks(here, there, base, ours, theirs, sides);
    if (renames.length > 0) return err(new MergeConflict(renames));
    const root = tree ?? (await here.store.writeTree([]));
    return ok({ tree: root, written: [...merger.written, root] });
  });
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
  const both = Result.combine(await Promise.all([changes(ours, oursTree), changes(theirs, theirsTree)]));
  return both.map(([mine, yours]) => ({ mine, yours }));
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
  return safeTry(async function* () {
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
    const renamed = yield* await renamedOf(
      ours,
      gone.map(({ change }) => change),
      [
        [ours, newHere],
        [theirs, newThere],
      ],
    );
    for (const { path, pathBytes } of renamed)
      risks.push({ path, ...(pathBytes ? { pathBytes } : {}), kind: "rename" });
    // A folder of the base that one side emptied, and the other added into.
    const folders = (path: string) =>
      path
        .split("/")
        .slice(0, -1)
        .map((_, i, parts) => `${parts.slice(0, i + 1).join("/")}/`);
    // git renames a folder only where that side renamed a file out of it: one of its deleted files is alike to a
    // file it added elsewhere.
    const emptied = (loader: ObjectLoader, root: string, changes: Found[], into: Set<string>) =>
      safeTry(async function* () {
        const found: MergeConflictEntry[] = [];
        for (const path of into) {
          for (const folder of folders(path)) {
            const [there, before] = [
              await folderExists(loader, root, folder.slice(0, -1)),
              await folderExists(ours, base, folder.slice(0, -1)),
            ];
            const [isThere, wasThere] = [yield* there, yield* before];
            if (!wasThere || isThere) continue;
            const movedOut = changes.filter(
              ({ change }) => change.status === "deleted" && change.path.startsWith(folder),
            );
            const renamed = yield* await renamedOf(
              loader,
              movedOut.map(({ change }) => change),
              [[loader, added(changes)]],
            );
            if (renamed.length > 0) {
              found.push({ path, kind: "rename" });
              break;
            }
          }
        }
        return ok(found);
      });
    // Only a side that also added elsewhere may have renamed the folder.
    const intoOurs = addedHere.size > 0 ? yield* emptied(ours, oursTree, sides.mine, addedThere) : [];
    const intoTheirs = addedThere.size > 0 ? yield* emptied(theirs, theirsTree, sides.yours, addedHere) : [];
    return ok([...risks, ...intoOurs, ...intoTheirs]);
  });
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
  return safeTry(async function* () {
    const others = candidates.flatMap(([from, found]) => found.map(({ change }) => [from, change.after] as const));
    if (deleted.length === 0 || others.length === 0) return ok([]);
    const files = (entries: (Change["before"] | undefined)[]) =>
      entries.flatMap((entry) => (regular(entry) ? [entry?.id as string] : []));
    const loaded = await Promise.all([
      loader.blobs(files(deleted.map((change) => change.before))),
      ...candidates.map(([from, found]) => from.blobs(files(found.map(({ change }) => change.after)))),
    ]);
    yield* Result.combine(loaded);
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
  });
}

/** Whether `root` holds the folder `path` (UTF-8, `/`-separated), its trees loaded as needed. */
async function folderExists(loader: ObjectLoader, root: string, path: string): Promise<Result<boolean, Failure>> {
  return safeTry(async function* () {
    let tree = root;
    for (const name of path.split("/")) {
      yield* await loader.trees([tree]);
      const entry = (await loader.store.tree(tree)).find((item) => item.name === fromUtf8(name));
      if (!entry || kindOf(entry.mode) !== "tree") return ok(false);
      tree = entry.oid;
    }
    return ok(true);
  });
}

/**
 * The tree to merge against: the one base's, the empty tree's for unrelated histories, or for two bases the virtual
 * base merge-ort makes, their own merge (recursively, against their own bases). Where that inner merge conflicts,
 * git keeps the markers in the virtual base and may still merge cleanly; this port cannot say what git would, so the
 * merge is refused as a conflict, never given a clean result git might not give. Likewise past two bases.
 */
export async function baseTreeOf(
  loader: ObjectLoader,
  store: ObjectStore,
  bases: readonly string[],
  depth = 0,
): Promise<Result<string | undefined, Failure>> {
  return safeTry(async function* () {
    if (bases.length === 0) return ok(undefined);
    if (bases.length === 1) return await loader.commitTree(bases[0] as string);
    const [one, two] = bases as [string, string];
    if (bases.length > 2 || depth > 8) {
      return err(new GitError("conflict", `${bases.length} merge bases (${bases.join(", ")}): merge these by hand`));
    }
    const inner = yield* await baseTreeOf(loader, store, await mergeBases(store, one, two), depth + 1);
    const [treeOne, treeTwo] = [yield* await loader.commitTree(one), yield* await loader.commitTree(two)];
    const virtual = new TreeMerge(loader, loader, new Map());
    const merged = yield* await virtual.merge(inner, treeOne, treeTwo, "");
    if (virtual.conflicts.length > 0) {
      return err(
        new GitError(
          "conflict",
          `the merge bases ${one} and ${two} (a criss-cross history) conflict with each other on ` +
            `${virtual.conflicts.map((conflict) => conflict.path).join(", ")}: merge these by hand`,
        ),
      );
    }
    return ok(merged);
  });
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
    return safeTry(
      async function* (this: TreeMerge) {
        const entries = (loader: ObjectLoader, oid: string | undefined) =>
          safeTry(async function* () {
            if (oid === undefined) return ok(new Map<ByteString, TreeEntry>());
            yield* await loader.trees([oid]);
            const list = await loader.store.tree(oid);
            const byName = new Map(list.map((entry) => [entry.name, entry]));
            // Two entries of one name (git fsck's duplicateEntries): merging would keep one and lose the other silently.
            if (byName.size !== list.length) {
              const names = list.map((entry) => entry.name);
              const twice = names.find((name, index) => names.indexOf(name) !== index) ?? "";
              return err(
                new GitError(
                  "protocol",
                  `tree ${oid} holds two entries named ${JSON.stringify(decodeUtf8(twice) ?? twice)}`,
                ),
              );
            }
            return ok(byName);
          });
        const b = yield* entries(this.ours, base);
        const o = yield* entries(this.ours, ours);
        const t = yield* entries(this.theirs, theirs);
        this.relocate(prefix, b, o, t);
        // The files both sides changed, read in one batch per side for the whole folder, not one request each.
        const names = [...new Set([...b.keys(), ...o.keys(), ...t.keys()])];
        const contested = names
          .map((name) => [b.get(name), o.get(name), t.get(name)] as const)
          .filter(([was, mine, yours]) => !same(mine, yours) && !same(was, yours) && !same(was, mine));
        const blob = (entry: TreeEntry | undefined) => (entry && kindOf(entry.mode) === "blob" ? [entry.oid] : []);
        const [here, there] = await Promise.all([
          this.ours.blobs(contested.flatMap(([was, mine]) => [...blob(was), ...blob(mine)])),
          this.theirs.blobs(contested.flatMap(([, , yours]) => blob(yours))),
        ]);
        yield* here;
        yield* there;
        const result: TreeEntry[] = [];
        for (const name of names) {
          const [was, mine, yours] = [b.get(name), o.get(name), t.get(name)];
          const path = `${prefix}${name}`;
          let entry: TreeEntry | undefined;
          if (this.holdsMove(path)) {
            // exactRenames made sure every side has a folder here, or nothing.
            const tree = yield* await this.merge(was?.oid, mine?.oid, yours?.oid, `${path}/`);
            const named = (mine ?? yours ?? was) as TreeEntry;
            entry = tree ? { mode: named.mode, name, oid: tree } : undefined;
          } else if (same(mine, yours) || same(was, yours)) entry = mine;
          else if (same(was, mine)) entry = yours;
          else {
            const merged = yield* await this.mergeEntry(path, was, mine, yours);
            entry = merged;
          }
          if (entry) result.push(entry);
        }
        if (result.length === 0) return ok(undefined);
        const tree = await this.ours.store.writeTree(result);
        if (ours === undefined || tree !== ours) this.written.push(tree);
        return ok(tree);
      }.bind(this),
    );
  }

  /** An entry both sides changed, differently. */
  private async mergeEntry(
    path: ByteString,
    was: TreeEntry | undefined,
    mine: TreeEntry | undefined,
    yours: TreeEntry | undefined,
  ): Promise<Result<TreeEntry | undefined, Failure>> {
    return safeTry(
      async function* (this: TreeMerge) {
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
            ...namedPath(path),
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
        yield* Result.combine(loaded);
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
      }.bind(this),
    );
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
export function mergeLines(base: Uint8Array, ours: Uint8Array, theirs: Uint8Array): Uint8Array | undefined {
  if (isBinary(base) || isBinary(ours) || isBinary(theirs)) return undefined;
  try {
    const merged = mergeText(toByteString(base), toByteString(ours), toByteString(theirs));
    return merged === undefined ? undefined : toBytes(merged);
  } catch (error) {
    // Where git's own diff gives up, git fails the merge: a conflict is the honest answer.
    if (error instanceof DiffFailed) return undefined;
    throw error;
  }
}
