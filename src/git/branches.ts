import { err, errAsync, ok, type Result, type ResultAsync } from "neverthrow";
import type { Client } from "../client.js";
import { type ArtifactsError, InvalidInputError, type TransportError } from "../errors.js";
import { type GitCallOptions, type GitRemote, type GitTarget, guard, reach, splitArgs, withAccess } from "./access.js";
import { GitError } from "./errors.js";
import { isOid } from "./hash.js";
import { isRefName } from "./input.js";
import { pushPack, ZERO_OID } from "./receive-pack.js";
import { resolveRef } from "./refs.js";
import type { Remote } from "./smart-http.js";
import type { ArtifactsRepoHandle } from "./sources.js";
import { capabilities, lsRefs } from "./upload-pack.js";

/**
 * Branches and tags without a clone: the refs as `ls-refs` reports them, and a branch created or deleted by a
 * single ref update (no objects sent: the commit is already there).
 */

/**
 * A repo's refs: `head` is the branch `HEAD` names (an empty repo's too), or null when it names none; branches
 * and tags by name (`main`, `v1`), each with its commit (an annotated tag's peeled).
 *
 * @example
 * const { head, branches, tags }: RefsResult = (await listRefs(client, "notes"))._unsafeUnwrap();
 */
export interface RefsResult {
  head: string | null;
  branches: Record<string, string>;
  tags: Record<string, string>;
}

/**
 * A branch as `createBranch` made it or `deleteBranch` removed it: its name and commit (for a deletion, the head
 * it had).
 *
 * @example
 * const { name, commit }: BranchResult = (await createBranch(client, "notes", { name: "draft", from: "main" }))._unsafeUnwrap();
 */
export interface BranchResult {
  name: string;
  commit: string;
}

type Failure = GitError | TransportError | InvalidInputError;

/**
 * The branches and tags of a repo, and the branch its `HEAD` names. Takes the three targets `commitFiles` takes.
 *
 * @example
 * const refs = await listRefs(client, "notes");
 * if (refs.isOk()) console.log(refs.value.head, Object.keys(refs.value.branches));
 */
export function listRefs(
  client: Client,
  repo: string,
  options?: GitCallOptions,
): ResultAsync<RefsResult, GitError | ArtifactsError>;
export function listRefs(
  target: ArtifactsRepoHandle | GitRemote,
  options?: GitCallOptions,
): ResultAsync<RefsResult, GitError | ArtifactsError>;
export function listRefs(target: GitTarget, ...rest: unknown[]): ResultAsync<RefsResult, GitError | ArtifactsError> {
  return guard(() => {
    const [repo, options] = splitArgs<[GitCallOptions?]>(target, rest);
    return withAccess(reach(target, repo, undefined, "read", options ?? {}), (access) => refsOf(access.remote));
  });
}

/**
 * Creates branch `name` at `from` (a branch, a tag or a commit id). A branch of that name already there is a
 * `GitError` `conflict`, and nothing changes.
 *
 * @example
 * const made = await createBranch(client, "notes", { name: "agent/a", from: "main" });
 * if (made.isOk()) console.log(made.value.commit);
 */
export function createBranch(
  client: Client,
  repo: string,
  input: { name: string; from: string },
  options?: GitCallOptions,
): ResultAsync<BranchResult, GitError | ArtifactsError>;
export function createBranch(
  target: ArtifactsRepoHandle | GitRemote,
  input: { name: string; from: string },
  options?: GitCallOptions,
): ResultAsync<BranchResult, GitError | ArtifactsError>;
export function createBranch(
  target: GitTarget,
  ...rest: unknown[]
): ResultAsync<BranchResult, GitError | ArtifactsError> {
  return guard(() => {
    const [repo, input, options] = splitArgs<[{ name: string; from: string }, GitCallOptions?]>(target, rest);
    const { name, from } = input ?? ({} as { name?: unknown; from?: unknown });
    if (!isRefName(name)) return refused("name must be a valid branch name (not HEAD)", "name");
    if (typeof from !== "string" || !(isRefName(from) || isOid(from) || from === "HEAD")) {
      return refused("from must be a branch, a tag or a commit id", "from");
    }
    return withAccess(reach(target, repo, undefined, "write", options ?? {}), async (access) => {
      const { remote } = access;
      const caps = await capabilities(remote);
      if (caps.isErr()) return err(caps.error);
      const [existing, start] = await Promise.all([
        lsRefs(remote, caps.value, [`refs/heads/${name}`]),
        resolveRef(remote, caps.value, from === "HEAD" ? undefined : from),
      ]);
      if (existing.isErr()) return err(existing.error);
      if (start.isErr()) return err(start.error);
      const there = existing.value.find((ref) => ref.name === `refs/heads/${name}`);
      if (there) return err(new GitError("conflict", `branch ${name} already exists (at ${there.oid})`));
      const pushed = await pushPack(remote, {
        ref: `refs/heads/${name}`,
        old: ZERO_OID,
        new: start.value,
      });
      if (pushed.isErr() && pushed.error._tag === "GitError" && pushed.error.reason === "rejected") {
        // Refused: if the branch exists now, another call made it first, which is the conflict it is.
        const now = await lsRefs(remote, caps.value, [`refs/heads/${name}`]);
        const made = now.isOk() ? now.value.find((ref) => ref.name === `refs/heads/${name}`) : undefined;
        if (made) return err(new GitError("conflict", `branch ${name} was created meanwhile (at ${made.oid})`));
      }
      return pushed.map(() => ({ name, commit: start.value }));
    });
  });
}

/**
 * Deletes branch `name`. `parent` makes it a compare-and-swap: a head other than `parent` is a `GitError`
 * `conflict`, and the branch stays. A branch that does not exist is `not-found`.
 *
 * @example
 * const gone = await deleteBranch(client, "notes", { name: "agent/a", parent: knownHead });
 */
export function deleteBranch(
  client: Client,
  repo: string,
  input: { name: string; parent?: string },
  options?: GitCallOptions,
): ResultAsync<BranchResult, GitError | ArtifactsError>;
export function deleteBranch(
  target: ArtifactsRepoHandle | GitRemote,
  input: { name: string; parent?: string },
  options?: GitCallOptions,
): ResultAsync<BranchResult, GitError | ArtifactsError>;
export function deleteBranch(
  target: GitTarget,
  ...rest: unknown[]
): ResultAsync<BranchResult, GitError | ArtifactsError> {
  return guard(() => {
    const [repo, input, options] = splitArgs<[{ name: string; parent?: string }, GitCallOptions?]>(target, rest);
    const { name, parent } = input ?? ({} as { name?: unknown; parent?: unknown });
    if (!isRefName(name)) return refused("name must be a valid branch name (not HEAD)", "name");
    if (parent !== undefined && !isOid(parent))
      return refused("parent must be a commit id (40 lowercase hex)", "parent");
    return withAccess(reach(target, repo, undefined, "write", options ?? {}), async (access) => {
      const { remote } = access;
      const caps = await capabilities(remote);
      if (caps.isErr()) return err(caps.error);
      const refs = await lsRefs(remote, caps.value, [`refs/heads/${name}`]);
      if (refs.isErr()) return err(refs.error);
      const head = refs.value.find((ref) => ref.name === `refs/heads/${name}`)?.oid;
      if (head === undefined) return err(new GitError("not-found", `no branch named ${name}`));
      if (parent !== undefined && head !== parent) {
        return err(new GitError("conflict", `branch ${name} is at ${head}, not at the expected parent ${parent}`));
      }
      const pushed = await pushPack(remote, { ref: `refs/heads/${name}`, old: head, new: ZERO_OID });
      if (pushed.isOk()) return ok({ name, commit: head });
      // The compare of the update failed: the branch moved between the look and the update.
      const now = await lsRefs(remote, caps.value, [`refs/heads/${name}`]);
      const moved = now.isOk() && now.value.find((ref) => ref.name === `refs/heads/${name}`)?.oid !== head;
      return err(moved ? new GitError("conflict", `branch ${name} moved while being deleted`) : pushed.error);
    });
  });
}

async function refsOf(remote: Remote): Promise<Result<RefsResult, Failure>> {
  const caps = await capabilities(remote);
  if (caps.isErr()) return err(caps.error);
  const refs = await lsRefs(remote, caps.value, ["HEAD", "refs/heads/", "refs/tags/"]);
  if (refs.isErr()) return err(refs.error);
  const result: RefsResult = { head: null, branches: {}, tags: {} };
  for (const ref of refs.value) {
    if (ref.name === "HEAD") {
      result.head = ref.target?.startsWith("refs/heads/") ? ref.target.slice("refs/heads/".length) : null;
    } else if (ref.name.startsWith("refs/heads/") && ref.oid) {
      result.branches[ref.name.slice("refs/heads/".length)] = ref.oid;
    } else if (ref.name.startsWith("refs/tags/") && ref.oid) {
      result.tags[ref.name.slice("refs/tags/".length)] = ref.peeled ?? ref.oid;
    }
  }
  return ok(result);
}

const refused = (message: string, field: string) => errAsync(new InvalidInputError(message, field));
