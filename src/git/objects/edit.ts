import type { ObjectStore } from "./store.js";
import {
  type ByteString,
  decodeUtf8,
  EMPTY_TREE,
  EXECUTABLE_MODE,
  FILE_MODE,
  kindOf,
  TREE_MODE,
  type TreeEntry,
} from "./tree.js";

/**
 * A commit's file changes applied to a tree. Only the trees on a changed path are read and rewritten; every other
 * entry, at every level, is kept as it was, byte for byte (name, mode and id).
 */

/**
 * What the caller's files ask for, by path (its bytes): the new blob (its mode kept as below), the blob with the
 * mode it must have (a patch's), or `null` to delete what is there.
 */
export type Changes = ReadonlyMap<ByteString, Change>;
type Change = string | { oid: string; mode: string } | null;

/** The tree cannot take the change as asked: a file where a folder is, or a folder below a file. */
export class TreeConflict extends Error {}

/**
 * The new root tree: `changes` applied to `root` (none for a branch's first commit). Deletions apply first, so
 * `{ "a": null, "a/b": … }` turns the file `a` into a folder. Emptied folders disappear. Every tree written is
 * added to `written`, for the pack; a tree the changes leave as it was is not written again.
 */
export async function applyChanges(
  store: ObjectStore,
  root: string | undefined,
  changes: Changes,
  written: string[],
): Promise<string> {
  const tree = (await edit(store, root, changes, "", written)) ?? (await store.writeTree([]));
  if (tree === EMPTY_TREE && !written.includes(tree)) written.push(tree);
  return tree;
}

async function edit(
  store: ObjectStore,
  oid: string | undefined,
  changes: Changes,
  prefix: string,
  written: string[],
): Promise<string | undefined> {
  const entries = new Map((oid ? await store.tree(oid) : []).map((entry) => [entry.name, entry]));
  const here = new Map<ByteString, Change>();
  const below = new Map<ByteString, Map<ByteString, Change>>();
  for (const [path, blob] of changes) {
    const slash = path.indexOf("/");
    if (slash === -1) {
      here.set(path, blob);
      continue;
    }
    const name = path.slice(0, slash);
    const folder = below.get(name) ?? new Map<ByteString, Change>();
    below.set(name, folder.set(path.slice(slash + 1), blob));
  }
  let changed = false;
  const set = (entry: TreeEntry) => {
    const current = entries.get(entry.name);
    if (current?.mode === entry.mode && current.oid === entry.oid) return;
    entries.set(entry.name, entry);
    changed = true;
  };
  for (const [name, blob] of here) if (blob === null) changed = entries.delete(name) || changed;
  for (const [name, folder] of below) {
    const current = entries.get(name);
    if (current && kindOf(current.mode) !== "tree") {
      throw new TreeConflict(
        `${shown(prefix + name)} is a file: delete it (null) in the same commit to make it a folder`,
      );
    }
    const edited = await edit(store, current?.oid, folder, `${prefix}${name}/`, written);
    if (edited === undefined) changed = entries.delete(name) || changed;
    // An existing folder keeps its mode as written (`40000`, or a zero-padded `040000`).
    else set({ mode: current?.mode ?? TREE_MODE, name, oid: edited });
  }
  for (const [name, blob] of here) {
    if (blob === null) continue;
    const current = entries.get(name);
    if (current && kindOf(current.mode) === "tree") {
      throw new TreeConflict(
        `${shown(prefix + name)} is a folder: delete it (null) in the same commit to make it a file`,
      );
    }
    if (typeof blob === "object") {
      set({ mode: blob.mode, name, oid: blob.oid });
      continue;
    }
    // An executable keeps its bit, an unchanged file its mode; anything else (a symlink, a submodule, a legacy
    // `100664`) given new content becomes a regular file.
    const keep = current?.oid === blob || current?.mode === EXECUTABLE_MODE;
    set({ mode: keep && current ? current.mode : FILE_MODE, name, oid: blob });
  }
  if (entries.size === 0) return undefined;
  if (!changed && oid !== undefined) return oid;
  const tree = await store.writeTree([...entries.values()]);
  written.push(tree);
  return tree;
}

/** A path of the caller's (its UTF-8 bytes) as the caller wrote it. */
const shown = (path: ByteString) => JSON.stringify(decodeUtf8(path) ?? path);
