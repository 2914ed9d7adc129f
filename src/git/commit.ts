import { err, ok, type Result, safeTry } from "neverthrow";
import { sleep } from "../bounded.js";
import { aborted, InvalidInputError, type TransportError } from "../errors.js";
import { backoff } from "../retry.js";
import { type GitCall, gitCall } from "./call.js";
import { GitError } from "./errors.js";
import { type CheckedCommit, type CommitFilesInput, type CommitFilesResult, checkCommit } from "./input.js";
import { applyChanges, type Changes, TreeConflict } from "./objects/edit.js";
import { loadTrees, ObjectLoader } from "./objects/loader.js";
import type { ObjectSource } from "./objects/sources.js";
import { ObjectStore } from "./objects/store.js";
import { fromUtf8 } from "./objects/tree.js";
import { pushRef } from "./wire/push-ref.js";
import { ZERO_OID } from "./wire/receive-pack.js";
import { headBranch, refsNamed } from "./wire/refs.js";
import type { GitResult, Remote } from "./wire/smart-http.js";
import { capabilities, type Ref } from "./wire/upload-pack.js";

/** How many times a commit without `parent` is re-applied on a head that a concurrent push moved. */
const ATTEMPTS = 10;
/** The wait before re-applying (retry.ts's backoff): under 200 ms after the first attempt, doubling to under 3.2 s. */
const RACE_BACKOFF = { delay: 200, backoffLimit: 3200 };

/**
 * Commits `files` to a branch of a repo in one push, without cloning it: it reads the branch head's commit and only
 * the trees on the changed paths (from the cheapest source the call has, each object checked: loader.ts), writes
 * the changed blobs and trees and the commit, and pushes them as one small pack, checking the remote's report.
 *
 * Called with a client, it reads the repo's remote and default branch and mints a write token (ttl 600 s, kept for
 * the next calls through the same client and repo until `disposeGit`) unless `token` is given; with the binding's
 * repo handle (`env.ARTIFACTS.get(name)`), the same through `info()`, `createToken()` and `revokeToken()`; with
 * `{ remote, token }`, it uses those and the remote's `HEAD`.
 *
 * `parent` makes it a compare-and-swap: a head other than `parent` (or any head, for `parent: null`) is a
 * `GitError` `conflict` and nothing changes. Without `parent`, a concurrent push that wins is answered by
 * re-applying the same files on the new head, up to 10 times with jittered waits.
 *
 * @function
 * @example
 * const result = await commitFiles(client, "notes", {
 *   message: "Add today's notes",
 *   author: { name: "Agent", email: "agent@example.com" },
 *   files: { "notes/today.md": "# Today\n", "notes/draft.md": null },
 * });
 * if (result.isOk()) console.log(result.value.commit);
 * else if (result.error._tag === "GitError" && result.error.reason === "conflict") console.log("branch moved");
 */
export const commitFiles: GitCall<CommitFilesInput, CommitFilesResult> = gitCall({
  scope: "write",
  check: (input) => checkCommit(input as CommitFilesInput),
  inputToken: true,
  run: (access, checked) => commitWith(access.remote, access.defaultBranch, access.sources, checked),
});

type Failure = GitError | TransportError | InvalidInputError;

/**
 * Changes that depend on the head they apply to (a patch's): made again on each attempt, from the branch's root
 * tree (undefined for a new branch), with the blobs they wrote for the pack; or an error `E` that ends the call.
 */
export type Plan<E> = (
  loader: ObjectLoader,
  root: string | undefined,
) => Promise<Result<{ changes: Changes; blobs: string[] }, Failure | E>>;

/** Commits `commit.files`, and what `plan` makes of each head, to the branch, again on a head that moved. */
export async function commitWith<E = never>(
  remote: Remote,
  defaultBranch: string | undefined,
  sources: ObjectSource[],
  commit: CheckedCommit,
  plan?: Plan<E>,
): Promise<Result<CommitFilesResult, Failure | E>> {
  return safeTry(async function* () {
    const store = new ObjectStore(remote.kept?.objects);
    // The blobs are the same whatever the head: written once, pushed with every attempt.
    const blobs = new Set<string>();
    const changes = new Map<string, string | null>();
    for (const [path, content] of commit.files) {
      const oid = content === null ? null : await store.writeBlob(content);
      if (oid !== null) blobs.add(oid);
      changes.set(fromUtf8(path), oid);
    }
    const caps = yield* await capabilities(remote);
    const loader = new ObjectLoader(remote, caps, store, sources);
    let known = commit.branch ?? defaultBranch;
    // The heads a push needs, in one ls-refs: the branch's (or, with no branch known, HEAD's, which names it: then
    // it is known for the attempts after) and `from`'s.
    const heads = async (): Promise<GitResult<{ branch: string; refs: Map<string, Ref> }>> => {
      const names = [known === undefined ? "HEAD" : `refs/heads/${known}`];
      if (commit.from !== undefined) names.push(`refs/heads/${commit.from}`);
      return (await refsNamed(remote, caps, names)).andThen((refs) => {
        if (known !== undefined) return ok({ branch: known, refs });
        const head = refs.get("HEAD");
        return headBranch(head).map((branch) => {
          known = branch;
          if (head?.oid !== undefined)
            refs.set(`refs/heads/${branch}`, { name: `refs/heads/${branch}`, oid: head.oid });
          return { branch, refs };
        });
      });
    };

    for (let attempt = 1; ; attempt++) {
      const read = yield* await heads();
      const { branch, refs } = read;
      const ref = `refs/heads/${branch}`;
      const head = refs.get(ref)?.oid;

      if (commit.parent === null && head !== undefined) {
        return err(new GitError("conflict", `branch ${branch} already exists (parent: null asks for a new branch)`));
      }
      if (typeof commit.parent === "string" && head !== commit.parent) {
        const found = head === undefined ? "does not exist" : `is at ${head}`;
        return err(new GitError("conflict", `branch ${branch} ${found}, not at the expected parent ${commit.parent}`));
      }
      let base = head;
      if (base === undefined && commit.from !== undefined) {
        base = refs.get(`refs/heads/${commit.from}`)?.oid;
        if (base === undefined) return err(new GitError("not-found", `branch ${commit.from} (from) does not exist`));
      }

      const made = yield* await makeCommit(loader, base, changes, commit, plan);
      const { oid, tree, written, unchanged } = made;
      const result = { commit: oid, parent: unchanged ? oid : (base ?? null), tree, branch, unchanged };
      // Nothing to say: the branch already is what the files ask for.
      if (unchanged && head !== undefined) return ok(result);
      // A new branch `from` another with no change is that branch's head under a new name: no objects to send.
      const objects = store.pack(unchanged ? [] : [...blobs, ...written, oid]);
      const pushed = await pushRef(remote, caps, { ref, old: head ?? ZERO_OID, new: oid, objects });
      if (pushed.isOk()) return ok(result);

      // Refused: because the branch moved meanwhile (a conflict, or another attempt), or for a reason of the remote's own.
      if (pushed.error._tag !== "RefMoved") return err(pushed.error);
      if (commit.parent !== undefined) {
        return err(
          new GitError(
            "conflict",
            `branch ${branch} moved while committing (it was expected at ${commit.parent ?? "nothing"})`,
          ),
        );
      }
      if (attempt >= ATTEMPTS) {
        return err(new GitError("conflict", `branch ${branch} kept moving: gave up after ${ATTEMPTS} attempts`));
      }
      remote.debug(`branch ${branch} moved during attempt ${attempt}: re-applying the files on its new head`);
      if (!(await sleep(backoff(RACE_BACKOFF, attempt), remote.signal))) return err(aborted(remote.signal!));
    }
  });
}

/**
 * The commit of `changes` on `base` (a root commit without one), and every tree it wrote; or `base` itself,
 * `unchanged`, when the changes leave its tree as it is and empty commits are not asked for.
 */
async function makeCommit<E>(
  loader: ObjectLoader,
  base: string | undefined,
  given: Changes,
  commit: CheckedCommit,
  plan: Plan<E> | undefined,
): Promise<Result<{ oid: string; tree: string; written: string[]; unchanged: boolean }, Failure | E>> {
  return safeTry(async function* () {
    const { store } = loader;
    let root: string | undefined;
    if (base !== undefined) {
      const tree = yield* await loader.commitTree(base);
      root = tree;
    }
    const written: string[] = [];
    let changes = given;
    if (plan) {
      const planned = yield* await plan(loader, root);
      changes = new Map([...given, ...planned.changes]);
      written.push(...planned.blobs);
    }
    if (root !== undefined) {
      // Only the trees on a changed path: the edit reads no other.
      const paths = [...changes.keys()];
      yield* await loadTrees(loader, root, (folder) => paths.some((path) => path.startsWith(folder)));
    }
    try {
      const tree = await applyChanges(store, root, changes, written);
      if (base !== undefined && tree === root && !commit.allowEmpty)
        return ok({ oid: base, tree, written, unchanged: true });
      const oid = await store.writeCommit({
        message: commit.message,
        tree,
        parents: base === undefined ? [] : [base],
        author: commit.author,
        committer: commit.author,
      });
      return ok({ oid, tree, written, unchanged: false });
    } catch (error) {
      if (error instanceof TreeConflict) return err(new InvalidInputError(error.message, "files"));
      const reason = error instanceof Error ? error.message : String(error);
      return err(new GitError("protocol", `could not build the commit from the fetched trees: ${reason}`));
    }
  });
}
