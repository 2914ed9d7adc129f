import type { TreeEntry } from "isomorphic-git";
import type { ObjectStore } from "./objects.js";

/**
 * Trees as the data plane edits and reads them: a set of file changes applied to a tree, rewriting only the trees
 * on the changed paths, and the files of a tree that a list of paths selects, descending only where it must.
 */

const TREE = "040000";
const FILE = "100644";
const EXECUTABLE = "100755";
export const EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

/** A change the caller's files ask for, at one path: the new blob, or `null` to delete. */
export type Changes = ReadonlyMap<string, string | null>;

/** The tree cannot take the change as asked: a file where a folder is, or a folder below a file. */
export class TreeConflict extends Error {}

/**
 * The new root tree: `changes` applied to `root` (none for a branch's first commit). Deletions apply first, so
 * `{ "a": null, "a/b": … }` turns the file `a` into a folder. Emptied folders disappear. Every tree written is
 * added to `written`, for the pack.
 */
export async function applyChanges(
  store: ObjectStore,
  root: string | undefined,
  changes: Changes,
  written: string[],
): Promise<string> {
  const tree = (await edit(store, root, changes, "", written)) ?? (await store.writeTree([]));
  if (tree === EMPTY_TREE) written.push(tree);
  return tree;
}

async function edit(
  store: ObjectStore,
  oid: string | undefined,
  changes: Changes,
  prefix: string,
  written: string[],
): Promise<string | undefined> {
  const entries = new Map((oid ? await store.tree(oid) : []).map((entry) => [entry.path, entry]));
  const here = new Map<string, string | null>();
  const below = new Map<string, Map<string, string | null>>();
  for (const [path, blob] of changes) {
    const slash = path.indexOf("/");
    if (slash === -1) {
      here.set(path, blob);
      continue;
    }
    const name = path.slice(0, slash);
    const folder = below.get(name) ?? new Map<string, string | null>();
    below.set(name, folder.set(path.slice(slash + 1), blob));
  }
  for (const [name, blob] of here) if (blob === null) entries.delete(name);
  for (const [name, folder] of below) {
    const current = entries.get(name);
    if (current && current.type !== "tree") {
      throw new TreeConflict(`${prefix}${name} is a file: delete it (null) in the same commit to make it a folder`);
    }
    const edited = await edit(store, current?.oid, folder, `${prefix}${name}/`, written);
    if (edited === undefined) entries.delete(name);
    else entries.set(name, { mode: TREE, path: name, oid: edited, type: "tree" });
  }
  for (const [name, blob] of here) {
    if (blob === null) continue;
    const current = entries.get(name);
    if (current?.type === "tree") {
      throw new TreeConflict(`${prefix}${name} is a folder: delete it (null) in the same commit to make it a file`);
    }
    // An executable keeps its bit; anything else (a symlink, a submodule) becomes a regular file.
    entries.set(name, { mode: current?.mode === EXECUTABLE ? EXECUTABLE : FILE, path: name, oid: blob, type: "blob" });
  }
  if (entries.size === 0) return undefined;
  const tree = await store.writeTree([...entries.values()]);
  written.push(tree);
  return tree;
}

/** A file of a tree: its path from the root and its blob. */
export interface FileEntry {
  path: string;
  oid: string;
}

/**
 * The files (blobs: regular, executable, symlinks) under `root` that `paths` selects: exact paths, or folders
 * written with a trailing slash (`"docs/"`); every file when `paths` is undefined. Submodules are not files.
 */
export async function selectFiles(
  store: ObjectStore,
  root: string,
  paths: readonly string[] | undefined,
): Promise<FileEntry[]> {
  const folders = paths?.filter((path) => path.endsWith("/"));
  const exact = new Set(paths?.filter((path) => !path.endsWith("/")));
  const selected = (path: string) => !paths || exact.has(path) || folders?.some((folder) => path.startsWith(folder));
  const worthEntering = (folder: string) =>
    !paths ||
    folders?.some((wanted) => wanted.startsWith(folder) || folder.startsWith(wanted)) ||
    [...exact].some((path) => path.startsWith(folder));

  const files: FileEntry[] = [];
  const walk = async (oid: string, prefix: string): Promise<void> => {
    for (const entry of await store.tree(oid)) {
      const path = `${prefix}${entry.path}`;
      if (entry.type === "tree") {
        if (worthEntering(`${path}/`)) await walk(entry.oid, `${path}/`);
      } else if (entry.type === "blob" && selected(path)) {
        files.push({ path, oid: entry.oid });
      }
    }
  };
  await walk(root, "");
  return files;
}

export type { TreeEntry };
