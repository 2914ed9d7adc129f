import { err, errAsync, ok, type Result, type ResultAsync } from "neverthrow";
import type { Client } from "../client.js";
import { InvalidInputError, type TransportError } from "../errors.js";
import { type GitCallOptions, type GitRemote, type GitTarget, guard, reach, splitArgs, withAccess } from "./access.js";
import type { GitCallError, GitError } from "./errors.js";
import { isRefName } from "./input.js";
import { isOid } from "./objects/hash.js";
import type { ArtifactsRepoHandle } from "./objects/sources.js";
import { createRef, deleteRef } from "./wire/push-ref.js";
import type { Remote } from "./wire/smart-http.js";
import { capabilities, lsRefs } from "./wire/upload-pack.js";

/**
 * Branches and tags without a clone: the refs as `ls-refs` reports them, and a branch created or deleted by a
 * single ref update (no objects sent: the commit is already there).
 */

/**
 * A repo's refs: `head` is the branch `HEAD` names (an empty repo's too), or null when it names none; branches
 * and tags by name (`main`, `v1`), each with its commit (an annotated tag's peeled).
 *
 * @example
 * const result = await listRefs(client, "notes");
 * if (result.isOk()) {
 *   const { head, branches, tags }: ListRefsResult = result.value;
 * }
 */
export interface ListRefsResult {
  head: string | null;
  branches: Record<string, string>;
  tags: Record<string, string>;
}

/**
 * The earlier name of `ListRefsResult`.
 *
 * @deprecated Use `ListRefsResult`, named as its call is.
 * @example
 * const refs: RefsResult = { head: "main", branches: {}, tags: {} };
 */
export type RefsResult = ListRefsResult;

/**
 * `createBranch`'s input: the new branch's name, and where it starts (a branch, a tag or a commit id).
 *
 * @example
 * const input: CreateBranchInput = { name: "agent/docs", from: "main" };
 */
export interface CreateBranchInput {
  name: string;
  from: string;
}

/**
 * `deleteBranch`'s input: the branch, and optionally the head it must have (compare-and-swap).
 *
 * @example
 * const input: DeleteBranchInput = { name: "agent/docs", parent: knownHead };
 */
export interface DeleteBranchInput {
  name: string;
  parent?: string;
}

/**
 * A branch as `createBranch` made it or `deleteBranch` removed it: its name and commit (for a deletion, the head
 * it had).
 *
 * @example
 * const result = await createBranch(client, "notes", { name: "draft", from: "main" });
 * if (result.isOk()) {
 *   const { name, commit }: BranchResult = result.value;
 * }
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
): ResultAsync<ListRefsResult, GitCallError>;
export function listRefs(
  target: ArtifactsRepoHandle | GitRemote,
  options?: GitCallOptions,
): ResultAsync<ListRefsResult, GitCallError>;
export function listRefs(target: GitTarget, ...rest: unknown[]): ResultAsync<ListRefsResult, GitCallError> {
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
  input: CreateBranchInput,
  options?: GitCallOptions,
): ResultAsync<BranchResult, GitCallError>;
export function createBranch(
  target: ArtifactsRepoHandle | GitRemote,
  input: CreateBranchInput,
  options?: GitCallOptions,
): ResultAsync<BranchResult, GitCallError>;
export function createBranch(target: GitTarget, ...rest: unknown[]): ResultAsync<BranchResult, GitCallError> {
  return guard(() => {
    const [repo, input, options] = splitArgs<[{ name: string; from: string }, GitCallOptions?]>(target, rest);
    const { name, from } = input ?? ({} as { name?: unknown; from?: unknown });
    if (!isRefName(name)) return refused("name must be a valid branch name (not HEAD)", "name");
    if (typeof from !== "string" || !(isRefName(from) || isOid(from) || from === "HEAD")) {
      return refused("from must be a branch, a tag or a commit id", "from");
    }
    return withAccess(reach(target, repo, undefined, "write", options ?? {}), async (access) =>
      (await createRef(access.remote, `refs/heads/${name}`, from)).map(({ commit }) => ({ name, commit })),
    );
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
  input: DeleteBranchInput,
  options?: GitCallOptions,
): ResultAsync<BranchResult, GitCallError>;
export function deleteBranch(
  target: ArtifactsRepoHandle | GitRemote,
  input: DeleteBranchInput,
  options?: GitCallOptions,
): ResultAsync<BranchResult, GitCallError>;
export function deleteBranch(target: GitTarget, ...rest: unknown[]): ResultAsync<BranchResult, GitCallError> {
  return guard(() => {
    const [repo, input, options] = splitArgs<[{ name: string; parent?: string }, GitCallOptions?]>(target, rest);
    const { name, parent } = input ?? ({} as { name?: unknown; parent?: unknown });
    if (!isRefName(name)) return refused("name must be a valid branch name (not HEAD)", "name");
    if (parent !== undefined && !isOid(parent))
      return refused("parent must be a commit id (40 lowercase hex)", "parent");
    return withAccess(reach(target, repo, undefined, "write", options ?? {}), async (access) =>
      (await deleteRef(access.remote, `refs/heads/${name}`, parent)).map((commit) => ({ name, commit })),
    );
  });
}

async function refsOf(remote: Remote): Promise<Result<ListRefsResult, Failure>> {
  const caps = await capabilities(remote);
  if (caps.isErr()) return err(caps.error);
  const refs = await lsRefs(remote, caps.value, ["HEAD", "refs/heads/", "refs/tags/"]);
  if (refs.isErr()) return err(refs.error);
  const result: ListRefsResult = { head: null, branches: {}, tags: {} };
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
