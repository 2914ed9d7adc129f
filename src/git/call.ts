import { ok, okAsync, type Result, type ResultAsync } from "neverthrow";
import type { Client } from "../client.js";
import type { InvalidInputError } from "../errors.js";
import type { Scope } from "../types.js";
import {
  type Access,
  type GitCallOptions,
  type GitRemote,
  type GitTarget,
  guard,
  isClient,
  reach,
  withAccess,
} from "./access.js";
import type { GitCallError } from "./errors.js";
import type { ArtifactsRepoHandle } from "./objects/sources.js";

/**
 * One declaration per data-plane call, as the core has one per endpoint (transport.ts `send`): `gitCall` gives a
 * call its overloads (a client and the repo's name, the binding's repo handle, `{ remote, token }`), checks its input
 * (input.ts) before anything is sent, reaches the repo with the call's token and options (access.ts), and runs the
 * call's algorithm there. Nothing it gives throws or rejects.
 */

/**
 * A `./git` call that takes an input: `(client, repo, input, options?)`, or `(handle | { remote, token }, input,
 * options?)`. `E` is what it fails with.
 *
 * @example
 * const commit: GitCall<CommitFilesInput, CommitFilesResult> = commitFiles;
 */
export interface GitCall<I, T, E = GitCallError> {
  /** With a client and the repo's name: the repo's remote from `getRepo`, a repo token minted unless one is given. */
  (client: Client, repo: string, input: I, options?: GitCallOptions): ResultAsync<T, E>;
  /** With the binding's repo handle (`await env.ARTIFACTS.get(name)`), or a remote and its repo token. */
  (target: ArtifactsRepoHandle | GitRemote, input: I, options?: GitCallOptions): ResultAsync<T, E>;
}

/**
 * A `./git` call whose input may be left out (`readFiles`, `listCommits`).
 *
 * @example
 * const read: GitQuery<ReadFilesInput, ReadFilesResult> = readFiles;
 */
export interface GitQuery<I, T, E = GitCallError> {
  /** With a client and the repo's name: the repo's remote from `getRepo`, a repo token minted unless one is given. */
  (client: Client, repo: string, input?: I, options?: GitCallOptions): ResultAsync<T, E>;
  /** With the binding's repo handle (`await env.ARTIFACTS.get(name)`), or a remote and its repo token. */
  (target: ArtifactsRepoHandle | GitRemote, input?: I, options?: GitCallOptions): ResultAsync<T, E>;
}

/**
 * A `./git` call that takes no input (`listRefs`).
 *
 * @example
 * const refs: GitLookup<ListRefsResult> = listRefs;
 */
export interface GitLookup<T, E = GitCallError> {
  /** With a client and the repo's name: the repo's remote from `getRepo`, a repo token minted unless one is given. */
  (client: Client, repo: string, options?: GitCallOptions): ResultAsync<T, E>;
  /** With the binding's repo handle (`await env.ARTIFACTS.get(name)`), or a remote and its repo token. */
  (target: ArtifactsRepoHandle | GitRemote, options?: GitCallOptions): ResultAsync<T, E>;
}

/** What a call's algorithm is given besides its repo: how to reach another repo of the namespace (a fork's). */
export interface CallContext {
  /** The repo's name, with a client; undefined for a handle or a remote. */
  repo: string | undefined;
  /** Reaches `repo` of the same namespace (a client's only), with its own session and token. */
  reach(repo: string, scope: Scope): ResultAsync<Access, GitCallError>;
}

/** A call's declaration: the token scope it needs, its input rules, and its algorithm. */
export interface CallSpec<C, T, E> {
  scope: Scope;
  /** The input's rules (input.ts), given whether the target is a client (only a client can name other repos). */
  check(input: unknown, target: { client: boolean }): Result<C, InvalidInputError>;
  /** The input carries a `token` of its own (commitFiles', readFiles', readFileStream'): `options.token`'s twin. */
  inputToken?: boolean;
  /**
   * A cheaper way than Git, tried first (readFiles' REST contents routes, with a client): its answer, or undefined
   * to go on by Git.
   */
  first?(
    target: GitTarget,
    call: { repo: string | undefined; input: C; options: GitCallOptions; token: string | undefined },
  ): ResultAsync<T | undefined, E | GitCallError>;
  run(
    access: Access,
    input: C,
    context: CallContext,
  ): ResultAsync<T, E | GitCallError> | Promise<Result<T, E | GitCallError>>;
}

/** The three forms of a call's arguments, as one: target, repo (client form), input, options. */
function parts(target: unknown, rest: unknown[], takesInput: boolean) {
  const [repo, ...args] = isClient(target) ? (rest as [string, ...unknown[]]) : [undefined, ...rest];
  const [input, options] = takesInput ? args : [undefined, args[0]];
  return { repo, input, options: (options ?? {}) as GitCallOptions };
}

function declare<C, T, E>(spec: CallSpec<C, T, E>, takesInput: boolean) {
  return (target: GitTarget, ...rest: unknown[]): ResultAsync<T, E | GitCallError> =>
    guard(() => {
      const { repo, input, options } = parts(target, rest, takesInput);
      return spec.check(input, { client: isClient(target) }).asyncAndThen((checked) => {
        const token = spec.inputToken ? (input as { token?: string } | undefined)?.token : undefined;
        // Guarded again: after `first`, it runs later, outside the guard around the call.
        const byGit = () =>
          guard(() =>
            withAccess<T, E>(reach(target, repo, token, spec.scope, options), (access) =>
              spec.run(access, checked, {
                repo,
                reach: (name, scope) => reach(target, name, undefined, scope, options),
              }),
            ),
          );
        if (spec.first === undefined) return byGit();
        return spec
          .first(target, { repo, input: checked, options, token })
          .andThen((answer) => (answer === undefined ? byGit() : okAsync(answer)));
      });
    });
}

/**
 * Declares a call that takes an input.
 *
 * @internal
 */
export const gitCall = <I, T, E = GitCallError, C = I>(spec: CallSpec<C, T, E>): GitCall<I, T, E | GitCallError> =>
  declare(spec, true) as GitCall<I, T, E | GitCallError>;

/**
 * Declares a call whose input may be left out.
 *
 * @internal
 */
export const gitQuery = <I, T, E = GitCallError, C = I>(spec: CallSpec<C, T, E>): GitQuery<I, T, E | GitCallError> =>
  declare(spec, true) as GitQuery<I, T, E | GitCallError>;

/**
 * Declares a call that takes no input.
 *
 * @internal
 */
export const gitLookup = <T, E = GitCallError>(
  spec: Omit<CallSpec<undefined, T, E>, "check">,
): GitLookup<T, E | GitCallError> =>
  declare({ ...spec, check: () => okUndefined }, false) as GitLookup<T, E | GitCallError>;

const okUndefined = ok(undefined);
