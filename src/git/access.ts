import { err, errAsync, okAsync, type Result, ResultAsync } from "neverthrow";
import { type Client, DEFAULT_TIMEOUT } from "../client.js";
import { type ArtifactsError, aborted, InvalidInputError, unusableNumber } from "../errors.js";
import { isRepoToken } from "../git-credentials.js";
import { getRepo } from "../repos.js";
import { scrub } from "../secrets.js";
import { createToken, deleteToken } from "../tokens.js";
import type { CallOptions } from "../transport.js";
import type { Scope } from "../types.js";
import { GitError } from "./errors.js";
import { type ArtifactsRepoHandle, bindingSource, type ObjectSource, restSource } from "./objects/sources.js";
import { MINTED_TTL, type Minted, sessionOf } from "./session.js";
import { type Remote, remoteUrl } from "./wire/smart-http.js";

/**
 * How a call of the data plane reaches a repo, in each of its three forms:
 * - a client and a repo name: the repo's `remote` and default branch from `getRepo`, a repo token minted (kept for
 *   the next calls: session.ts) unless one is given, and the REST contents routes as a source of objects;
 * - the binding's repo handle (`await env.ARTIFACTS.get(name)`): the remote and default branch from `info()`, a
 *   token from `createToken()` (kept, revoked with `revokeToken()`) unless one is given, its `read*` methods as a
 *   source;
 * - `{ remote, token }`: those, as given, and the remote's `HEAD` as the default branch.
 */

/**
 * A repo's Git remote and a repo token for it, for code that has no API token: the binding's `create()` returns
 * one. Prefer the repo handle itself where you have it (its reads are cheaper on remotes without `filter`).
 *
 * @example
 * const created = await env.ARTIFACTS.create("notes");
 * await commitFiles(created, { message: "First", author, files: { "a.txt": "a" } });
 */
export interface GitRemote {
  remote: string;
  /**
   * The repo token, or a function that gives it (asked at the start of each call, and again once when the remote
   * refuses the one it gave: for a long-running agent whose tokens expire).
   */
  token: string | (() => string | Promise<string>);
}

/**
 * What a data-plane call takes as its target: a client (with the repo's name beside it), the binding's repo handle,
 * or a remote with its token.
 *
 * @example
 * const targets: GitTarget[] = [client, await env.ARTIFACTS.get("notes"), await env.ARTIFACTS.create("scratch")];
 */
export type GitTarget = Client | ArtifactsRepoHandle | GitRemote;

/**
 * Options of a data-plane call: those of every call (`signal`; `timeout` per request; `headers`, sent with every
 * request; `retry`, for its REST calls), `debug`, which hears what the call chose (a fallback, a retry) without that
 * being an error, and `maxFetchBytes`.
 *
 * @example
 * await readFiles(client, "notes", { paths: ["README.md"] }, { timeout: 10_000, debug: console.debug });
 */
export interface GitCallOptions extends CallOptions {
  /** Hears what the call chose (a fallback, a retry), as one line each. */
  debug?: (message: string) => void;
  /**
   * The most one Git response may hold on the wire, in bytes; a remote that sends more ends the call with a
   * `GitError` (`protocol`, its `maxFetchBytes` set), and nothing is pushed. Its objects may inflate to at most 2×
   * this together (and 32 MB each), past which the call ends the same way. Answers are read as they arrive, so a
   * call holds what it fetched once inflated, not the answer (measured: 1.0× the bytes of a 31 MB file read; a
   * streamed read, under 1 MB). Default 36 MiB: a pack of one file at Artifacts' 32 MB limit gets through, and a
   * call holds at most 72 MiB of one answer's objects, which leaves a Worker's 128 MB room for the caller's own.
   * Raise it outside a Worker to read more at once.
   */
  maxFetchBytes?: number;
  /**
   * What the target's cache of objects may hold, in bytes (default 8 MiB, sized for a Worker; `0` keeps nothing).
   * Calls through the same target object (a client and repo name, a binding handle, a `{ remote, token }` object)
   * reuse the objects earlier calls fetched or wrote: each is named by the hash of its bytes, so it never goes stale.
   * The latest call's bound holds; an object over an eighth of it is not kept.
   */
  cacheBytes?: number;
  /**
   * A repo token used as given, for any call (the scope the call needs: write to push, read or write to read),
   * instead of one minted for it. Of a client or a binding handle; `{ remote, token }` carries its own.
   */
  token?: string;
}

export const DEFAULT_MAX_FETCH_BYTES = 36 * 1024 * 1024;

/** Revocation runs after the caller's call may be long over: it gets its own bound. */
const REVOKE_TIMEOUT = 10_000;

/** A reached remote. */
export interface Access {
  remote: Remote;
  /** The repo's default branch, when the control plane or the handle said it. */
  defaultBranch: string | undefined;
  /** Where single objects can come from besides Git, cheapest first. */
  sources: ObjectSource[];
}

export const isClient = (value: unknown): value is Client =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as Client).accountId === "string" &&
  typeof (value as Client).redact === "function";

/** A binding's repo handle, by its shape. An RPC stub answers any property, so this asks for functions only. */
export const isHandle = (value: unknown): value is ArtifactsRepoHandle =>
  (typeof value === "object" || typeof value === "function") &&
  value !== null &&
  typeof (value as ArtifactsRepoHandle).info === "function" &&
  typeof (value as ArtifactsRepoHandle).createToken === "function";

/**
 * How a call reaches its repo. What cannot go stale comes from the target's session (session.ts): the repo's remote
 * and default branch, a token minted earlier, capabilities and objects.
 */
export function reach(
  target: GitTarget,
  repo: string | undefined,
  inputToken: string | undefined,
  scope: Scope,
  options: GitCallOptions,
): ResultAsync<Access, Failure> {
  const { debug: listener, signal, maxFetchBytes, cacheBytes, token: optionToken, ...call } = options;
  // The input's `token` (commitFiles', readFiles') or the options' (every call's): the same thing, said once.
  const token = inputToken ?? optionToken;
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
  const wrong = optionsProblem(options);
  if (wrong) return errAsync(wrong);
  if (typeof target !== "object" && typeof target !== "function") return invalid(TOKEN_FORMAT, "token");
  if (target === null) return invalid(TOKEN_FORMAT, "token");
  const session = sessionOf(target, repo);
  if (cacheBytes !== undefined) {
    session.objects.maxBytes = cacheBytes;
    session.objects.trim();
  }
  const reached = (url: string, secret: string, renew?: () => Promise<string | undefined>): Remote => ({
    url: url.replace(/\/+$/, ""),
    token: secret,
    renew,
    signal,
    timeout: options.timeout ?? (isClient(target) ? target.timeout : DEFAULT_TIMEOUT),
    headers: options.headers,
    maxFetchBytes: maxFetchBytes ?? DEFAULT_MAX_FETCH_BYTES,
    debug,
    kept: session,
  });
  // A kept token the remote refused (revoked, expired early) is dropped, and one minted in its place: once a call.
  const reachedMinted = (url: string, mint: (scope: Scope) => ResultAsync<Minted, Failure>, minted?: Minted) =>
    minted === undefined
      ? reached(url, token as string)
      : reached(url, minted.plaintext, async () => {
          session.drop(minted.plaintext);
          const again = await session.token(scope, mint);
          return again.isOk() ? again.value.plaintext : undefined;
        });

  if (isClient(target)) {
    const client = target;
    const name = repo as string;
    // Not with the caller's signal: the token the server makes is kept for the next calls, whoever hears of it.
    const mint = (scope: Scope) =>
      createToken(client, { repo: name, scope, ttl: MINTED_TTL }, { ...call, signal: undefined }).map(
        (created): Minted => ({
          plaintext: created.plaintext,
          async revoke() {
            const revoked = await deleteToken(client, created.id, { ...call, timeout: REVOKE_TIMEOUT });
            if (revoked.isErr()) debug(`could not revoke a token minted for this repo (${revoked.error.message})`);
          },
        }),
      );
    const info = repoInfo(client, name, call);
    const minted = token === undefined ? session.token(scope, mint) : undefined;
    return together(info, minted, signal).map(({ info, minted }) => ({
      remote: reachedMinted(info.remote, mint, minted),
      defaultBranch: info.defaultBranch,
      sources: [restSource(client, name, { ...call, signal })],
    }));
  }

  if (isHandle(target)) {
    const handle = target;
    const failed = (what: string) => (error: unknown) => bindingError(what, error);
    const mint = (scope: Scope) =>
      // Through a promise of its own: an RPC stub that throws at once, or answers without a promise, is an Err too.
      ResultAsync.fromPromise(
        Promise.resolve().then(() => handle.createToken(scope, MINTED_TTL)),
        failed("createToken()"),
      ).andThen((created) =>
        isRepoToken(created?.plaintext)
          ? okAsync<Minted, Failure>({
              plaintext: created.plaintext,
              async revoke() {
                await Promise.resolve()
                  .then(() => handle.revokeToken(created.id))
                  .then(
                    () => undefined,
                    (error: unknown) => debug(`could not revoke a token minted for this repo (${String(error)})`),
                  );
              },
            })
          : errAsync(new GitError("protocol", "the binding's createToken() gave no repo token")),
      );
    const info = session.info(() =>
      ResultAsync.fromPromise(
        Promise.resolve().then(() => handle.info()),
        failed("info()"),
      ).andThen(
        (found): Result<{ remote: string; defaultBranch: string | undefined }, Failure> =>
          typeof found?.remote === "string"
            ? remoteUrl(found.remote).map((url) => ({ remote: url, defaultBranch: found.defaultBranch ?? undefined }))
            : err(new GitError("not-found", "the binding's info() gave no remote (no such repo?)")),
      ),
    );
    const minted = token === undefined ? session.token(scope, mint) : undefined;
    return together(info, minted, signal).map(({ info, minted }) => ({
      remote: reachedMinted(info.remote, mint, minted),
      defaultBranch: info.defaultBranch,
      sources: [bindingSource(handle)],
    }));
  }

  // `{ remote, token }`: the token as given, or asked of the caller's function (again after a 401).
  const given = target as { remote?: unknown; token?: unknown };
  const supplied = given.token;
  const ask = async (): Promise<unknown> => (typeof supplied === "function" ? supplied() : supplied);
  const asked = () =>
    ResultAsync.fromPromise(
      ask(),
      (error) => new InvalidInputError(scrub(`the token function failed: ${String(error)}`), "token"),
    ).andThen((secret) => (isRepoToken(secret) ? okAsync(secret) : invalid(TOKEN_FORMAT, "token")));
  return remoteUrl(given.remote).asyncAndThen((remote) =>
    asked().map((secret) =>
      typeof supplied === "function"
        ? {
            remote: reached(remote, secret, async () => (await asked()).unwrapOr(undefined)),
            defaultBranch: undefined,
            sources: [],
          }
        : { remote: reached(remote, secret), defaultBranch: undefined, sources: [] },
    ),
  );
}

type Failure = GitError | ArtifactsError;

/** What is wrong with a call's options (checked before anything is sent), or undefined. */
export function optionsProblem(options: GitCallOptions): ArtifactsError | undefined {
  const { timeout, maxFetchBytes, cacheBytes, signal } = options;
  // `+false` is 0: no timeout is a usable one, as in the core.
  const unusable = unusableNumber({ timeout: +(timeout ?? 0) });
  if (unusable) return unusable;
  if (maxFetchBytes !== undefined && !(Number.isSafeInteger(maxFetchBytes) && maxFetchBytes > 0)) {
    return new InvalidInputError("maxFetchBytes must be a whole number of bytes, more than 0", "maxFetchBytes");
  }
  if (cacheBytes !== undefined && !(Number.isSafeInteger(cacheBytes) && cacheBytes >= 0)) {
    return new InvalidInputError("cacheBytes must be a whole number of bytes, 0 or more", "cacheBytes");
  }
  if (signal?.aborted) return aborted(signal);
  return undefined;
}

/** A client's repo's remote and default branch, from `getRepo` once per client and repo (kept by its session). */
export function repoInfo(
  client: Client,
  name: string,
  call: CallOptions,
): ResultAsync<{ remote: string; defaultBranch: string }, Failure> {
  return sessionOf(client, name).info(() =>
    getRepo(client, name, call).map((found) => ({ remote: found.remote, defaultBranch: found.default_branch })),
  );
}

const TOKEN_FORMAT = "token must be a repo token (art_v1_... or art_v2_...)";

/** A failure of the binding's RPC, without any token it might have echoed. */
function bindingError(what: string, error: unknown): GitError {
  const said = scrub(error instanceof Error ? error.message : String(error));
  return new GitError(/not.?found/i.test(said) ? "not-found" : "protocol", `the binding's ${what} failed: ${said}`);
}

/**
 * The repo's details and a minted token (none when the caller gave one), together; an abort of `signal` ends the
 * wait at once (what the server makes meanwhile is kept by the session, for the next call).
 */
function together<I>(
  info: ResultAsync<I, Failure>,
  mint: ResultAsync<Minted, Failure> | undefined,
  signal: AbortSignal | undefined,
): ResultAsync<{ info: I; minted: Minted | undefined }, Failure> {
  return untilAborted(info, signal).andThen((found) =>
    untilAborted(mint, signal).map((minted) => ({ info: found as I, minted })),
  );
}

/** `minted` (nothing when no mint was needed), or the abort of `signal` if that comes first. */
function untilAborted<T>(
  minted: ResultAsync<T, Failure> | undefined,
  signal: AbortSignal | undefined,
): ResultAsync<T | undefined, Failure> {
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
 * Runs `work` on the reached remote. The last guard of the contract: even a bug resolves to an Err, never a
 * rejection.
 */
export function withAccess<T, E = never>(
  access: ResultAsync<Access, Failure>,
  work: (
    access: Access,
  ) => ResultAsync<T, E | GitError | ArtifactsError> | Promise<Result<T, E | GitError | ArtifactsError>>,
): ResultAsync<T, E | GitError | ArtifactsError> {
  return access.andThen(
    (reached) =>
      new ResultAsync(
        // Adopted by a promise: a throw, or a rejected thenable (a ResultAsync of a bug), is caught the same way.
        new Promise<Result<T, E | GitError | ArtifactsError>>((resolve) => resolve(work(reached))).catch(
          (error: unknown) => {
            // A GitError thrown deep in the work (an object of the wrong kind) is the answer as it is.
            if (error instanceof GitError) return err(error);
            const message = scrub(`Unexpected failure: ${String(error)}`, reached.remote.token);
            return err(new GitError("protocol", message));
          },
        ),
      ),
  );
}
