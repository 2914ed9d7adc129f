import { ok, type Result, safeTry } from "neverthrow";
import type { GitCallError } from "../errors.js";
import type { ObjectLoader } from "../objects/loader.js";
import { type Selection, select } from "../objects/path.js";
import { type ByteString, kindOf, namedPath, type TreeEntry } from "../objects/tree.js";

/**
 * What changed between two trees, level by level: a subtree whose id is the same on both sides is skipped without
 * being read, so a comparison costs what differs, not what the repo holds. diffRefs, the tree merge and
 * cherry-pick all compare through it.
 */

type Failure = GitCallError;

/**
 * One path's change. `before` and `after` are the entry on each side (absent for an addition or a deletion);
 * `type-changed` is a file that became a symlink or a submodule, or back. With `contents`, a text change carries
 * `patch`, exactly what `git diff` prints for it from its `---` line on (empty where git prints no hunk: a mode
 * change, an empty file), and a binary one `binary: true`. `pathBytes` is set when the stored path is not
 * valid UTF-8 (`path` is then a lossy rendering of it).
 *
 * @example
 * const change: Change = { path: "a.txt", status: "modified", before: { mode: "100644", id }, after: { mode: "100644", id: id2 } };
 */
export interface Change {
  path: string;
  status: "added" | "modified" | "deleted" | "type-changed";
  before?: { mode: string; id: string };
  after?: { mode: string; id: string };
  patch?: string;
  /** The patch's bytes, set when they are not valid UTF-8 (text in another encoding): `patch` is then lossy. */
  patchBytes?: Uint8Array;
  binary?: true;
  pathBytes?: Uint8Array;
}

/** One side of a diff: where its objects come from, and its commit and root tree. */
export interface Side {
  loader: ObjectLoader;
  commit: string;
  root: string;
}

export interface Found {
  bytes: ByteString;
  change: Change;
}

/**
 * Makes `left`'s objects readable from `from`'s store and `right`'s from `to`'s: of one repo, in one fetch for both;
 * of two, one per side in parallel. Each side's own way (sources, its whole commit) gets what that fetch did not.
 */
export async function bothSides(
  from: Side,
  to: Side,
  left: string[],
  right: string[],
  kind: "tree" | "blob",
): Promise<Result<void, Failure>> {
  return safeTry(async function* () {
    if (from.loader.shares(to.loader)) {
      yield* await from.loader.prefetch([...left, ...right], kind);
    }
    const load = (side: Side, oids: string[]) => (kind === "tree" ? side.loader.trees(oids) : side.loader.blobs(oids));
    const [a, b] = await Promise.all([load(from, left), load(to, right)]);
    return a.andThen(() => b);
  });
}

/** Compares the two trees level by level, each level's trees loaded in one batch (one per side for two repos). */
export async function walk(from: Side, to: Side, selection: Selection): Promise<Result<Found[], Failure>> {
  return safeTry(async function* () {
    const found: Found[] = [];
    let level: { before?: string; after?: string; prefix: ByteString }[] = [
      { before: from.root, after: to.root, prefix: "" },
    ];
    while (level.length > 0) {
      yield* await bothSides(
        from,
        to,
        level.flatMap((pair) => pair.before ?? []),
        level.flatMap((pair) => pair.after ?? []),
        "tree",
      );
      const next: typeof level = [];
      for (const { before, after, prefix } of level) {
        const a = new Map((before ? await from.loader.store.tree(before) : []).map((entry) => [entry.name, entry]));
        const b = new Map((after ? await to.loader.store.tree(after) : []).map((entry) => [entry.name, entry]));
        for (const name of new Set([...a.keys(), ...b.keys()])) {
          const old = a.get(name);
          const now = b.get(name);
          if (old && now && old.oid === now.oid && old.mode === now.mode) continue;
          const path = `${prefix}${name}`;
          const oldTree = old && kindOf(old.mode) === "tree" ? old : undefined;
          const newTree = now && kindOf(now.mode) === "tree" ? now : undefined;
          if ((oldTree || newTree) && selection.enter(`${path}/`)) {
            next.push({ before: oldTree?.oid, after: newTree?.oid, prefix: `${path}/` });
          }
          const oldFile = oldTree ? undefined : old;
          const newFile = newTree ? undefined : now;
          if ((!oldFile && !newFile) || !selection.file(path)) continue;
          found.push({ bytes: path, change: change(path, oldFile, newFile) });
        }
      }
      level = next;
    }
    found.sort((x, y) => (x.bytes < y.bytes ? -1 : x.bytes > y.bytes ? 1 : 0));
    return ok(found);
  });
}

function change(path: ByteString, old: TreeEntry | undefined, now: TreeEntry | undefined): Change {
  const status: Change["status"] = !old
    ? "added"
    : !now
      ? "deleted"
      : kindOf(old.mode) === kindOf(now.mode)
        ? "modified"
        : "type-changed";
  const { path: shown, pathBytes } = namedPath(path);
  return {
    path: shown,
    status,
    ...(old ? { before: { mode: old.mode, id: old.oid } } : {}),
    ...(now ? { after: { mode: now.mode, id: now.oid } } : {}),
    ...(pathBytes ? { pathBytes } : {}),
  };
}

/** What differs between two commits of `into`'s repo, as paths. */
export async function changedPaths(
  loader: ObjectLoader,
  before: string,
  after: string,
): Promise<Result<string[], Failure>> {
  const side = async (commit: string): Promise<Result<Side, Failure>> =>
    (await loader.commitTree(commit)).map((root) => ({ loader, commit, root }));
  return safeTry(async function* () {
    const [from, to] = [yield* await side(before), yield* await side(after)];
    const found = yield* await walk(from, to, select(undefined));
    return ok(found.map(({ change }) => change.path));
  });
}
