import { err, errAsync, okAsync, type Result, ResultAsync } from "neverthrow";
import { type Client, DEFAULT_TIMEOUT } from "../client.js";
import { type ArtifactsError, aborted, InvalidInputError } from "../errors.js";
import { isRepoToken } from "../git-credentials.js";
import { getRepo } from "../repos.js";
import { scrub } from "../secrets.js";
import { createToken, deleteToken } from "../tokens.js";
import type { CallOptions } from "../transport.js";
import type { Scope } from "../types.js";
import { GitError } from "./errors.js";
import { type Remote, remoteUrl } from "./smart-http.js";

/**
 * How a call of the data plane reaches a repo's Git remote. With a client: the repo's `remote` and default branch
 * from `getRepo`, and a repo token minted for this call alone (revoked when it ends) unless one is given. With
 * `{ remote, token }` (a Workers binding hands out both): those, as given, and the remote's `HEAD` as the default.
 */

/**
 * A repo's Git remote and a repo token for it, for code that has no API token: inside a Worker the binding
 * (`env.ARTIFACTS`) gives both.
 *
 * @example
 * const repo = await env.ARTIFACTS.get("notes");
 * await commitFiles({ remote: repo.remote, token: (await repo.createToken("write", 600)).plaintext }, { ... });
 */
export interface GitRemote {
  remote: string;
  token: string;
}

/**
 * Options of a data-plane call: those of every call (`signal`; `timeout` per request; `headers`, sent with every
 * request; `retry`, for its REST calls), and `debug`, which hears what the call chose (a fallback, a retry)
 * without that being an error.
 *
 * @example
 * await readFiles(client, "notes", { paths: ["README.md"] }, { timeout: 10_000, debug: console.debug });
 */
export interface GitCallOptions extends CallOptions {
  /** Hears what the call chose (a fallback, a retry), as one line each. */
  debug?: (message: string) => void;
}

/** A reached remote, and what to do when the call is over (revoke the token it minted). */
export interface Access {
  remote: Remote;
  /** The repo's default branch, when the control plane said it. */
  defaultBranch: string | undefined;
  release(): Promise<void>;
}

/** The most a token minted for one call lives: long enough for its retries, short if revocation fails. */
const MINTED_TTL = 600;
/** Revocation runs after the caller's signal may have ended the call: it gets its own bound. */
const REVOKE_TIMEOUT = 10_000;

export const isClient = (value: unknown): value is Client =>
  typeof value === "object" && value !== null && "ky" in value && "redact" in value;

export function reach(
  target: Client | GitRemote,
  repo: string | undefined,
  token: string | undefined,
  scope: Scope,
  options: GitCallOptions,
): ResultAsync<Access, ArtifactsError> {
  const { debug: listener, signal, ...call } = options;
  // What the caller's listener does is not the call's business: a listener that throws is not heard from again.
  let deaf = false;
  const debug = (message: string) => {
    if (deaf || !listener) return;
    try {
      listener(message);
    } catch {
      deaf = true;
    }
  };
  if (token !== undefined && !isRepoToken(token)) return invalid(TOKEN_FORMAT, "token");
  const { timeout } = options;
  if (timeout !== undefined && timeout !== false && !(timeout >= 0 && Number.isFinite(timeout))) {
    return invalid("timeout is not a usable number", "timeout");
  }
  if (signal?.aborted) return errAsync(aborted(signal));
  const reached = (url: string, secret: string): Remote => ({
    url,
    token: secret,
    signal,
    timeout: options.timeout ?? (isClient(target) ? target.timeout : DEFAULT_TIMEOUT),
    headers: options.headers,
    debug,
  });
  if (!isClient(target)) {
    const given = target as Partial<GitRemote> | null | undefined;
    const remoteToken = given?.token;
    if (!isRepoToken(remoteToken)) return invalid(TOKEN_FORMAT, "token");
    return remoteUrl(given?.remote).asyncMap(async (url) => ({
      remote: reached(url, remoteToken),
      defaultBranch: undefined,
      release: async () => {},
    }));
  }
  const client = target;
  // The mint is not given the caller's signal: a token the server made must be known, to be revoked. An abort
  // ends the call at once; the token is revoked when the mint answers.
  const minted =
    token === undefined
      ? createToken(client, { repo: repo as string, scope, ttl: MINTED_TTL }, { ...call, signal: undefined })
      : undefined;
  const release = async () => {
    const id = (await minted)?.unwrapOr(undefined)?.id;
    if (id === undefined) return;
    const revoked = await deleteToken(client, id, { timeout: REVOKE_TIMEOUT });
    if (revoked.isErr()) debug(`could not revoke the token minted for this call (${revoked.error.message})`);
  };
  return ResultAsync.combine([getRepo(client, repo as string, { ...call, signal }), untilAborted(minted, signal)])
    .map(([info, created]) => ({
      remote: reached(info.remote.replace(/\/+$/, ""), created?.plaintext ?? (token as string)),
      defaultBranch: info.default_branch,
      release,
    }))
    .orElse((error) => {
      const released = release();
      // Aborted: the caller hears it now, and the revocation goes on without them.
      if (error._tag === "TransportError" && error.reason === "abort") return errAsync(error);
      return ResultAsync.fromSafePromise(released).andThen(() => err(error));
    });
}

const TOKEN_FORMAT = "token must be a repo token (art_v1_... or art_v2_...)";

/** `minted` (nothing when no mint was needed), or the abort of `signal` if that comes first. */
function untilAborted<T>(
  minted: ResultAsync<T, ArtifactsError> | undefined,
  signal: AbortSignal | undefined,
): ResultAsync<T | undefined, ArtifactsError> {
  if (minted === undefined) return okAsync(undefined);
  if (signal === undefined) return minted;
  return new ResultAsync(
    new Promise((resolve) => {
      const onAbort = () => resolve(err(aborted(signal)));
      signal.addEventListener("abort", onAbort, { once: true });
      minted.then((result) => {
        signal.removeEventListener("abort", onAbort);
        resolve(result);
      });
    }),
  );
}

/**
 * Starts a call; a getter or Proxy of the caller's that throws while it is read becomes an `InvalidInputError`,
 * never a throw out of the call (nothing in this SDK throws).
 */
export function guard<T, E>(start: () => ResultAsync<T, E>): ResultAsync<T, E | InvalidInputError> {
  try {
    return start();
  } catch (error) {
    const reason = error instanceof Error ? error.message : "something that is not an Error was thrown";
    return errAsync(new InvalidInputError(scrub(`the input could not be read: ${reason}`), "input"));
  }
}

const invalid = (message: string, field: string) => errAsync(new InvalidInputError(message, field));

/**
 * Runs `work` on the reached remote, then releases it (revokes the minted token) before the call resolves,
 * whatever the outcome. The last guard of the contract: even a bug resolves to an Err, never a rejection.
 */
export function withAccess<T>(
  access: ResultAsync<Access, ArtifactsError>,
  work: (access: Access) => Promise<Result<T, GitError | ArtifactsError>>,
): ResultAsync<T, GitError | ArtifactsError> {
  return access.andThen(
    (reached) =>
      new ResultAsync(
        work(reached)
          .catch((error: unknown) => {
            const message = scrub(`Unexpected failure: ${String(error)}`, reached.remote.token);
            return err(new GitError("protocol", message));
          })
          .finally(() => reached.release()),
      ),
  );
}
