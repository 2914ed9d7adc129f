import { ok, type ResultAsync, safeTry } from "neverthrow";
import type { InvalidInputError, TransportError } from "../errors.js";
import { type GitCall, type GitLookup, gitCall, gitLookup } from "./call.js";
import type { GitError } from "./errors.js";
import { checkCreateBranch, checkDeleteRef } from "./input.js";
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
 * @function
 * @example
 * const refs = await listRefs(client, "notes");
 * if (refs.isOk()) console.log(refs.value.head, Object.keys(refs.value.branches));
 */
export const listRefs: GitLookup<ListRefsResult> = gitLookup({
  scope: "read",
  run: (access) => refsOf(access.remote),
});

/**
 * Creates branch `name` at `from` (a branch, a tag or a commit id). A branch of that name already there is a
 * `GitError` `conflict`, and nothing changes.
 *
 * @function
 * @example
 * const made = await createBranch(client, "notes", { name: "agent/a", from: "main" });
 * if (made.isOk()) console.log(made.value.commit);
 */
export const createBranch: GitCall<CreateBranchInput, BranchResult> = gitCall({
  scope: "write",
  check: checkCreateBranch,
  run: async (access, { name, from }) =>
    (await createRef(access.remote, `refs/heads/${name}`, from)).map(({ commit }) => ({ name, commit })),
});

/**
 * Deletes branch `name`. `parent` makes it a compare-and-swap: a head other than `parent` is a `GitError`
 * `conflict`, and the branch stays. A branch that does not exist is `not-found`.
 *
 * @function
 * @example
 * const gone = await deleteBranch(client, "notes", { name: "agent/a", parent: knownHead });
 */
export const deleteBranch: GitCall<DeleteBranchInput, BranchResult> = gitCall({
  scope: "write",
  check: (input) => checkDeleteRef(input),
  run: async (access, { name, parent }) =>
    (await deleteRef(access.remote, `refs/heads/${name}`, parent)).map((commit) => ({ name, commit })),
});

const refsOf = (remote: Remote): ResultAsync<ListRefsResult, Failure> =>
  safeTry(async function* () {
    const caps = yield* await capabilities(remote);
    const refs = yield* await lsRefs(remote, caps, ["HEAD", "refs/heads/", "refs/tags/"]);
    const result: ListRefsResult = { head: null, branches: {}, tags: {} };
    for (const ref of refs) {
      if (ref.name === "HEAD") {
        result.head = ref.target?.startsWith("refs/heads/") ? ref.target.slice("refs/heads/".length) : null;
      } else if (ref.name.startsWith("refs/heads/") && ref.oid) {
        result.branches[ref.name.slice("refs/heads/".length)] = ref.oid;
      } else if (ref.name.startsWith("refs/tags/") && ref.oid) {
        result.tags[ref.name.slice("refs/tags/".length)] = ref.peeled ?? ref.oid;
      }
    }
    return ok(result);
  });
