import { type ArtifactsError, TaggedError } from "../errors.js";

/**
 * Why a Git operation failed, when the remote answered:
 * - `conflict`: the branch head is not what the call expected (a stale `parent`, `parent: null` on a branch that
 *   exists), or concurrent pushes kept winning until the retries ran out;
 * - `auth`: the Git remote refused the token (401/403), e.g. a read token asked to push;
 * - `not-found`: no such repo, branch, tag or commit;
 * - `rejected`: the remote refused the ref update for another reason (a hook, a protected or read-only repo);
 * - `protocol`: the remote's answer was not the Git protocol this SDK speaks (malformed, truncated, unexpected),
 *   or held more than the call's `maxFetchBytes` (then `maxFetchBytes` is set on the error).
 *
 * @example
 * if (err._tag === "GitError" && err.reason === "conflict") console.log("someone else pushed first");
 */
export type GitFailure = "conflict" | "auth" | "not-found" | "rejected" | "protocol";

/**
 * A failure of the Git data plane. No response at all (network, timeout, abort) is a `TransportError` instead,
 * as for every other call. Its message never holds a token.
 *
 * @example
 * const result = await commitFiles(client, "notes", { message, author, files, parent: knownHead });
 * if (result.isErr() && result.error._tag === "GitError" && result.error.reason === "conflict") rebaseAndRetry();
 */
export class GitError extends TaggedError {
  declare readonly _tag: "GitError";

  constructor(
    readonly reason: GitFailure,
    message: string,
    /** The HTTP status of the Git endpoint's answer, when it was not a success. */
    readonly status?: number,
    /** Set when a response held more than the call's `maxFetchBytes` (this limit): it was read no further. */
    readonly maxFetchBytes?: number,
  ) {
    super("GitError", message);
  }
}

/**
 * What any `./git` call can fail with: a `GitError`, or one of the core's errors (`HttpError` of the REST calls it
 * makes, `TransportError`, `InvalidInputError`). Switch on `_tag`.
 *
 * @example
 * const fail = (error: GitCallError) => console.error(error._tag, error.message);
 * (await readFiles(client, "notes")).match(console.log, fail);
 */
export type GitCallError = GitError | ArtifactsError;
