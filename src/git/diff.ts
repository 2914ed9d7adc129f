import { ok, Result, ResultAsync, safeTry } from "neverthrow";
import type { Access } from "./access.js";
import { type GitCall, gitCall } from "./call.js";
import { label, unifiedPatch } from "./diff/patch.js";
import { bothSides, type Change, type Found, type Side, walk } from "./diff/trees.js";
import type { GitCallError } from "./errors.js";
import { type CheckedDiff, checkDiff, type RefSpec } from "./input.js";
import { isBinary } from "./objects/binary.js";
import { ObjectLoader } from "./objects/loader.js";
import { select } from "./objects/path.js";
import { ObjectStore } from "./objects/store.js";
import { decodeUtf8, kindOf, toByteString, toBytes } from "./objects/tree.js";
import { resolveRef, resolveRefs } from "./wire/refs.js";
import { capabilities } from "./wire/upload-pack.js";

/**
 * What changed between two commits, from their trees alone: a subtree whose id is the same on both sides is
 * skipped without being read, so a diff costs what differs, not what the repo holds. As
 * `git diff --no-renames --name-status`, with the modes and ids of `git diff-tree -r`.
 */

export type { Change } from "./diff/trees.js";

export type { RefSpec } from "./input.js";

/**
 * What `diffRefs` compares and how.
 *
 * @example
 * const input: DiffRefsInput = { from: "main", to: "agent/a", paths: ["src/"], contents: true };
 */
export interface DiffRefsInput {
  from: RefSpec;
  to: RefSpec;
  /** Exact paths, folders with a trailing slash, or globs (as `readFiles` takes them): only their changes. Default: every path. */
  paths?: string[];
  /** Also read the changed files: a unified diff for text, `binary: true` for the rest. */
  contents?: boolean;
}

/**
 * The commits compared, and every change from `from` to `to`, in Git's path order.
 *
 * @example
 * const result = await diffRefs(client, "notes", { from: "main", to: "draft" });
 * if (result.isOk()) {
 *   const { from, to, changes }: DiffRefsResult = result.value;
 * }
 */
export interface DiffRefsResult {
  from: string;
  to: string;
  changes: Change[];
}

type Failure = GitCallError;

/**
 * Compares two commits of a repo (or of a fork and its source) without a clone: it reads the trees that differ,
 * and with `contents` the files that changed. Takes the three targets `commitFiles` takes.
 *
 * @function
 * @example
 * const diff = await diffRefs(client, "agent-a", { from: { repo: "baseline" }, to: "main" });
 * if (diff.isOk()) for (const change of diff.value.changes) console.log(change.status, change.path);
 */
export const diffRefs: GitCall<DiffRefsInput, DiffRefsResult> = gitCall({
  scope: "read",
  check: checkDiff,
  run: (here, input, { repo, reach }) =>
    safeTry(async function* () {
      // A side in another repo is reached on its own (its own session and token).
      const other = (spec: RefSpec) => (typeof spec === "string" ? undefined : spec.repo);
      const names = [...new Set([other(input.from), other(input.to)])].filter(
        (name): name is string => name !== undefined && name !== repo,
      );
      const reached = yield* ResultAsync.combine(names.map((name) => reach(name, "read")));
      return await compare(here, new Map(names.map((name, index) => [name, reached[index] as Access])), input);
    }),
});

async function compare(
  here: Access,
  elsewhere: Map<string, Access>,
  input: CheckedDiff,
): Promise<Result<DiffRefsResult, Failure>> {
  return safeTry(async function* () {
    // A store per repo (objects are the same whichever side asks), a loader per side (its last resort is its commit).
    const stores = new Map<Access, ObjectStore>();
    const [fromAccess, toAccess] = [input.from, input.to].map((spec) =>
      typeof spec === "string" ? here : (elsewhere.get(spec.repo) ?? here),
    ) as [Access, Access];
    const refOf = (spec: RefSpec, access: Access) => {
      const ref = typeof spec === "string" ? spec : spec.ref;
      return ref === "HEAD" ? undefined : (ref ?? access.defaultBranch);
    };
    const loaderOf = async (access: Access): Promise<Result<ObjectLoader, Failure>> =>
      (await capabilities(access.remote)).map((caps) => {
        const store = stores.get(access) ?? new ObjectStore(access.remote.kept?.objects);
        stores.set(access, store);
        return new ObjectLoader(access.remote, caps, store, access.sources);
      });
    const fromLoader = yield* await loaderOf(fromAccess);
    const toLoader = yield* await loaderOf(toAccess);
    // Both refs of one repo in one ls-refs, both commits (with their root trees) in one fetch.
    const refs = [refOf(input.from, fromAccess), refOf(input.to, toAccess)];
    const [fromCommit, toCommit] = (yield* fromAccess === toAccess
      ? await resolveRefs(fromAccess.remote, fromLoader.caps, refs)
      : Result.combine(
          await Promise.all([
            resolveRef(fromAccess.remote, fromLoader.caps, refs[0]),
            resolveRef(toAccess.remote, toLoader.caps, refs[1]),
          ]),
        )) as [string, string];
    if (fromLoader.shares(toLoader)) {
      yield* await fromLoader.prefetch([fromCommit, toCommit], "commit");
    }
    const side = async (loader: ObjectLoader, commit: string): Promise<Result<Side, Failure>> =>
      (await loader.commitTree(commit)).map((root) => ({ loader, commit, root }));
    const from = yield* await side(fromLoader, fromCommit);
    const to = yield* await side(toLoader, toCommit);
    const selection = select(input.paths);
    const changes = yield* await walk(from, to, selection);
    if (input.contents) {
      yield* await withContents(from, to, changes);
    }
    return ok({ from: from.commit, to: to.commit, changes: changes.map(({ change }) => change) });
  });
}

/**
 * Reads the changed files of both sides in one batch each, and adds `git diff`'s patch or `binary`. A submodule
 * is no blob: git shows it as the line `Subproject commit <id>`, and so does this.
 */
async function withContents(from: Side, to: Side, found: Found[]): Promise<Result<void, Failure>> {
  return safeTry(async function* () {
    const blob = (entry: { mode: string; id: string } | undefined): entry is { mode: string; id: string } =>
      entry !== undefined && kindOf(entry.mode) !== "gitlink";
    yield* await bothSides(
      from,
      to,
      found.flatMap(({ change }) => (blob(change.before) ? [change.before.id] : [])),
      found.flatMap(({ change }) => (blob(change.after) ? [change.after.id] : [])),
      "blob",
    );
    const content = async (side: Side, entry: { mode: string; id: string } | undefined) => {
      if (entry === undefined) return new Uint8Array();
      if (kindOf(entry.mode) === "gitlink") return new TextEncoder().encode(`Subproject commit ${entry.id}\n`);
      return await side.loader.store.blob(entry.id);
    };
    for (const { bytes: path, change } of found) {
      const before = await content(from, change.before);
      const after = await content(to, change.after);
      if (isBinary(before) || isBinary(after)) {
        change.binary = true;
        continue;
      }
      const a = toByteString(before);
      const b = toByteString(after);
      const [oldName, newName] = [label("a/", path), label("b/", path)];
      // A file that became a symlink or a submodule (or back) is, for git diff, one deleted and one added.
      const patch =
        change.status === "type-changed"
          ? unifiedPatch(oldName, "/dev/null", a, "") + unifiedPatch("/dev/null", newName, "", b)
          : unifiedPatch(change.before ? oldName : "/dev/null", change.after ? newName : "/dev/null", a, b);
      const text = toBytes(patch);
      const decoded = decodeUtf8(patch);
      change.patch = decoded ?? new TextDecoder().decode(text);
      if (decoded === undefined) change.patchBytes = text;
    }
    return ok(undefined);
  });
}
