import { err, ok, type Result, safeTry } from "neverthrow";
import { InvalidInputError, TaggedError } from "../errors.js";
import { type GitCall, gitCall } from "./call.js";
import { commitWith, type Plan } from "./commit.js";
import { type FilePatch, type Hunk, PatchSyntaxError, readPatch } from "./diff/patch-reader.js";
import type { GitCallError } from "./errors.js";
import {
  type Author,
  type CheckedCommit,
  type CommitFilesInput,
  type CommitFilesResult,
  checkCommit,
  objectInput,
} from "./input.js";
import type { Changes } from "./objects/edit.js";
import { loadTrees, type ObjectLoader } from "./objects/loader.js";
import {
  type ByteString,
  decodeUtf8,
  FILE_MODE,
  kindOf,
  namedPath,
  type TreeEntry,
  toByteString,
  toBytes,
} from "./objects/tree.js";

/**
 * A patch applied and committed without a clone, as `git apply` then `git commit` would: only the files the patch
 * names are read; every hunk must find its lines (context and removed) in the file, at the line it says or moved up
 * or down, never with a line of context left out. A hunk that does not apply, a file to patch that is not there or
 * a new one that is, is a `PatchConflict`, and nothing is pushed.
 */

/**
 * What `applyPatch` applies, and how it commits it.
 *
 * @example
 * const input: ApplyPatchInput = { patch: diffText, message: "Apply the agent's edit", author };
 */
export interface ApplyPatchInput {
  /** A unified diff in git's format (`git diff`, `git format-patch`): new, deleted, renamed and copied files, mode changes. */
  patch: string;
  /** Default: the repo's default branch. */
  branch?: string;
  /** Compare-and-swap: the head the branch must have. Without it, a branch that moved gets the patch on its new head. */
  parent?: string;
  message: string;
  author: Author;
}

/**
 * A part of the patch that does not apply: the file, why, and for a hunk its text and the file's lines where it
 * should have applied (as many as it would have replaced), so it can be made again on what the file holds now.
 *
 * @example
 * const rejected: RejectedHunk = { path: "a.txt", reason: "mismatch", hunk: "@@ -1 +1 @@\n-a\n+b", current: "c\n" };
 */
export interface RejectedHunk {
  path: string;
  /** The path's bytes, set when they are not valid UTF-8: `path` is then a lossy rendering of them. */
  pathBytes?: Uint8Array;
  /** `mismatch`: its lines are not in the file; `missing`: the file is not there; `exists`: a new file is. */
  reason: "mismatch" | "missing" | "exists";
  hunk?: string;
  current?: string;
}

/**
 * The patch does not apply to the branch's head: `rejects` says where. Nothing was pushed.
 *
 * @example
 * if (applied.isErr() && applied.error._tag === "PatchConflict") console.log(applied.error.rejects);
 */
export class PatchConflict extends TaggedError {
  declare readonly _tag: "PatchConflict";

  constructor(readonly rejects: RejectedHunk[]) {
    super(
      "PatchConflict",
      `the patch does not apply: ${rejects.map((reject) => `${reject.path} (${reject.reason})`).join(", ")}`,
    );
  }
}

/**
 * What `applyPatch` fails with: a `PatchConflict` (its rejected hunks; nothing pushed), or any `./git` call's error.
 *
 * @example
 * const fail = (error: ApplyPatchError) => (error._tag === "PatchConflict" ? error.rejects : error.message);
 */
export type ApplyPatchError = PatchConflict | GitCallError;

/**
 * Applies a unified diff to a branch and commits the result, without a clone. Takes the three targets
 * `commitFiles` takes.
 *
 * @function
 * @example
 * const applied = await applyPatch(client, "notes", { patch, message: "Fix the typo", author });
 * if (applied.isErr() && applied.error._tag === "PatchConflict") console.log(applied.error.rejects);
 */
export const applyPatch: GitCall<ApplyPatchInput, CommitFilesResult, ApplyPatchError> = gitCall({
  scope: "write",
  check: checkApply,
  run: (access, { commit, files }) =>
    commitWith<PatchConflict>(access.remote, access.defaultBranch, access.sources, commit, patchPlan(files)),
});

/** The patch read, and the commit it makes checked as commitFiles checks one. */
function checkApply(input: unknown): Result<{ commit: CheckedCommit; files: FilePatch[] }, InvalidInputError> {
  return safeTry(function* () {
    const { patch, message, author, branch, parent } = yield* objectInput(input, "the patch");
    const commit = yield* checkCommit({ message, author, branch, parent, files: {} } as CommitFilesInput);
    if (typeof patch !== "string") return err(new InvalidInputError("patch must be a string", "patch"));
    try {
      return ok({ commit, files: readPatch(patch) });
    } catch (error) {
      if (!(error instanceof PatchSyntaxError)) throw error;
      return err(new InvalidInputError(`patch: ${error.message}`, "patch"));
    }
  });
}

/** The changes the patch makes to the tree at `root`, reading only the files it names. */
function patchPlan(files: readonly FilePatch[]): Plan<PatchConflict> {
  return async (loader: ObjectLoader, root: string | undefined) =>
    safeTry(async function* () {
      const named = [...new Set(files.flatMap((file) => [file.oldPath, file.newPath]).filter((p) => p !== undefined))];
      const entries = new Map<ByteString, TreeEntry>();
      if (root !== undefined) {
        yield* await loadTrees(loader, root, (folder) => named.some((path) => path.startsWith(folder)));
        for (const path of named) {
          const entry = await entryAt(loader, root, path);
          if (entry) entries.set(path, entry);
        }
      }
      const blobs = [...entries.values()].filter((entry) => kindOf(entry.mode) !== "tree").map((entry) => entry.oid);
      yield* await loader.blobs(blobs);

      // The files as the patch goes: each file patch sees what the ones before it made.
      const work = new Map<ByteString, { content: ByteString; mode: string } | null>();
      const current = async (path: ByteString) => {
        if (work.has(path)) return work.get(path) ?? undefined;
        const entry = entries.get(path);
        if (!entry || kindOf(entry.mode) === "tree" || kindOf(entry.mode) === "gitlink") return undefined;
        return { content: toByteString(await loader.store.blob(entry.oid)), mode: entry.mode };
      };
      const rejects: RejectedHunk[] = [];
      const shown = namedPath;
      for (const file of files) {
        const source = file.oldPath === undefined ? undefined : await current(file.oldPath);
        if (file.oldPath !== undefined && source === undefined) {
          rejects.push({ ...shown(file.oldPath), reason: "missing" });
          continue;
        }
        const target = file.newPath;
        if (target !== undefined && target !== file.oldPath && (await current(target)) !== undefined) {
          rejects.push({ ...shown(target), reason: "exists" });
          continue;
        }
        if (target !== undefined && target !== file.oldPath && entries.get(target) !== undefined && !work.has(target)) {
          rejects.push({ ...shown(target), reason: "exists" }); // a folder or a submodule in the way
          continue;
        }
        const applied = applyHunks(source?.content ?? "", file.hunks);
        if (typeof applied !== "string") {
          for (const { hunk, current: lines } of applied) {
            rejects.push({
              ...shown(file.oldPath ?? file.newPath ?? ""),
              reason: "mismatch",
              hunk: hunk.source,
              current: lines,
            });
          }
          continue;
        }
        // A deletion must take every line away, as git apply insists.
        if (target === undefined && applied !== "") {
          rejects.push({ ...shown(file.oldPath ?? ""), reason: "mismatch" });
          continue;
        }
        if (file.oldPath !== undefined && !file.copy && file.oldPath !== target) work.set(file.oldPath, null);
        if (target !== undefined)
          work.set(target, { content: applied, mode: file.newMode ?? source?.mode ?? FILE_MODE });
      }
      if (rejects.length > 0) return err(new PatchConflict(rejects));
      const changes: Changes = new Map();
      const written: string[] = [];
      for (const [path, file] of work) {
        if (file === null) {
          (changes as Map<ByteString, null>).set(path, null);
          continue;
        }
        const oid = await loader.store.writeBlob(toBytes(file.content));
        written.push(oid);
        (changes as Map<ByteString, { oid: string; mode: string }>).set(path, { oid, mode: file.mode });
      }
      return ok({ changes, blobs: written });
    });
}

/** The entry at `path` below `root` (its trees loaded), or undefined. */
async function entryAt(loader: ObjectLoader, root: string, path: ByteString): Promise<TreeEntry | undefined> {
  let tree = root;
  const parts = path.split("/");
  for (const [index, part] of parts.entries()) {
    const entry = (await loader.store.tree(tree)).find((candidate) => candidate.name === part);
    if (!entry || index === parts.length - 1) return entry;
    if (kindOf(entry.mode) !== "tree") return undefined;
    tree = entry.oid;
  }
  return undefined;
}

/**
 * `content` with every hunk applied, as git apply's `apply_one_fragment` places them: the lines before and the
 * lines after must appear in full at the hunk's line (counted in the file as the hunks before left it) or the
 * nearest line where they do, a hunk from line 1 (or 0) only at the start and one without lines after only at the
 * end. Or the hunks that did not apply, each with the lines it found where it should have applied.
 */
export function applyHunks(
  content: ByteString,
  hunks: readonly Hunk[],
): ByteString | { hunk: Hunk; current: string }[] {
  const image = content === "" ? [] : content.split(/(?<=\n)/);
  const rejected: { hunk: Hunk; current: string }[] = [];
  for (const hunk of hunks) {
    const before = hunk.lines.filter((line) => line.kind !== "+").map((line) => line.text);
    const after = hunk.lines.filter((line) => line.kind !== "-").map((line) => line.text);
    const trailing = hunk.lines.length - 1 - hunk.lines.findLastIndex((line) => line.kind !== " ");
    const atStart = hunk.oldStart === 0 || hunk.oldStart === 1;
    const atEnd = trailing === 0;
    const expected = hunk.newStart === 0 ? 0 : hunk.newStart - 1;
    const fits = (pos: number) =>
      pos >= 0 &&
      pos + before.length <= image.length &&
      (!atStart || pos === 0) &&
      (!atEnd || pos + before.length === image.length) &&
      before.every((line, index) => image[pos + index] === line);
    let found = -1;
    for (let distance = 0; distance <= image.length + 1 && found === -1; distance++) {
      // Forward first, then back, as git's find_pos tries them.
      if (fits(expected + distance)) found = expected + distance;
      else if (distance > 0 && fits(expected - distance)) found = expected - distance;
    }
    if (found === -1) {
      const lines = image.slice(Math.max(0, expected), Math.max(0, expected) + before.length).join("");
      rejected.push({ hunk, current: decodeUtf8(lines) ?? new TextDecoder().decode(toBytes(lines)) });
      continue;
    }
    image.splice(found, before.length, ...after);
  }
  return rejected.length > 0 ? rejected : image.join("");
}
