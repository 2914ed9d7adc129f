import { err, errAsync, ok, okAsync, type Result, ResultAsync } from "neverthrow";
import { type Client, DEFAULT_TIMEOUT } from "../client.js";
import { type ArtifactsError, aborted, InvalidInputError, unusableNumber } from "../errors.js";
import { isRepoToken } from "../git-credentials.js";
import { getRepo } from "../repos.js";
import { scrub } from "../secrets.js";
import { createToken, deleteToken } from "../tokens.js";
import type { CallOptions } from "../transport.js";
import type { Scope } from "../types.js";
import { GitError } from "./errors.js";
import { type Remote, remoteUrl } from "./smart-http.js";
import { type ArtifactsRepoHandle, bindingSource, type ObjectSource, restSource } from "./sources.js";

/**
 * How a call of the data plane reaches a repo, in each of its three forms:
 * - a client and a repo name: the repo's `remote` and default branch from `getRepo`, a repo token minted for this
 *   call (revoked when it ends) unless one is given, and the REST contents routes as a source of objects;
 * - the binding's repo handle (`await env.ARTIFACTS.get(name)`): the remote and default branch from `info()`, a
 *   token from `createToken()` (revoked with `revokeToken()`) unless one is given, its `read*` methods as a source;
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
  token: string;
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
}

export const DEFAULT_MAX_FETCH_BYTES = 36 * 1024 * 1024;

/** A reached remote, and what to do when the call is over (revoke the token it minted). */
export interface Access {
  remote: Remote;
  /** The repo's default branch, when the control plane or the handle said it. */
  defaultBranch: string | undefined;
  /** Where single objects can come from besides Git, cheapest first. */
  sources: ObjectSource[];
  release(): Promise<void>;
}

/** A reached remote as the work of a call gets it. */
export interface CallAccess extends Access {
  /**
   * Keeps the call's token until `until` settles, instead of releasing it as the call resolves: for a result that
   * goes on using the remote after it is returned (a file's stream).
   */
  hold(until: Promise<unknown>): void;
}

/** The most a token minted for one call lives: long enough for its retries, short if revocation fails. */
const MINTED_TTL = 600;
/** Revocation runs after the caller's signal may have ended the call: it gets its own bound. */
const REVOKE_TIMEOUT = 10_000;

export const isClient = (value: unknown): value is Client =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as Client).accountId === "string" &&
  typeof (value as Client).redact === "function";

/**
 * A data-plane call's arguments after its target, as the overloads give them: `(client, repo, ...rest)` or
 * `(handle | remote, ...rest)`. The repo's name comes first, undefined for the forms that need none.
 */
export function splitArgs<R extends unknown[]>(target: unknown, rest: unknown[]): [string | undefined, ...Partial<R>] {
  return (isClient(target) ? rest : [undefined, ...rest]) as [string | undefined, ...Partial<R>];
}

/** A binding's repo handle, by its shape. An RPC stub answers any property, so this asks for functions only. */
export const isHandle = (value: unknown): value is ArtifactsRepoHandle =>
  (typeof value === "object" || typeof value === "function") &&
  value !== null &&
  typeof (value as ArtifactsRepoHandle).info === "function" &&
  typeof (value as ArtifactsRepoHandle).createToken === "function";

/** What a minted token gives the call: its secret, and how to revoke it. */
interface Minted {
  plaintext: string;
  revoke(): Promise<void>;
}

export function reach(
  target: GitTarget,
  repo: string | undefined,
  token: string | undefined,
  scope: Scope,
  options: GitCallOptions,
): ResultAsync<Access, Failure> {
  const { debug: listener, signal, maxFetchBytes, ...call } = options;
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
  // `+false` is 0: no timeout is a usable one, as in the core.
  const unusable = unusableNumber({ timeout: +(timeout ?? 0) });
  if (unusable) return errAsync(unusable);
  if (maxFetchBytes !== undefined && !(Number.isSafeInteger(maxFetchBytes) && maxFetchBytes > 0)) {
    return invalid("maxFetchBytes must be a whole number of bytes, more than 0", "maxFetchBytes");
  }
  if (signal?.aborted) return errAsync(aborted(signal));
  const reached = (url: string, secret: string): Remote => ({
    url: url.replace(/\/+$/, ""),
    token: secret,
    signal,
    timeout: options.timeout ?? (isClient(target) ? target.timeout : DEFAULT_TIMEOUT),
    headers: options.headers,
    maxFetchBytes: maxFetchBytes ?? DEFAULT_MAX_FETCH_BYTES,
    debug,
  });

  if (isClient(target)) {
    const client = target;
    const name = repo as string;
    const mint = () =>
      createToken(client, { repo: name, scope, ttl: MINTED_TTL }, { ...call, signal: undefined }).map(
        (created): Minted => ({
          plaintext: created.plaintext,
          async revoke() {
            // The caller's headers and retries, not its signal: the call may be over, the token must go.
            const revoked = await deleteToken(client, created.id, {
              ...call,
              signal: undefined,
              timeout: REVOKE_TIMEOUT,
            });
            if (revoked.isErr()) debug(`could not revoke the token minted for this call (${revoked.error.message})`);
          },
        }),
      );
    const info = getRepo(client, name, { ...call, signal }).map((found) => ({
      remote: found.remote,
      defaultBranch: found.default_branch,
    }));
    return minting(info, token === undefined ? mint() : undefined, signal).map(({ info, minted }) => ({
      remote: reached(info.remote, minted?.plaintext ?? (token as string)),
      defaultBranch: info.defaultBranch,
      sources: [restSource(client, name, { ...call, signal })],
      release: async () => minted?.revoke(),
    }));
  }

  if (isHandle(target)) {
    const handle = target;
    const failed = (what: string) => (error: unknown) => bindingError(what, error);
    const mint = () =>
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
                    (error: unknown) => debug(`could not revoke the token minted for this call (${String(error)})`),
                  );
              },
            })
          : errAsync(new GitError("protocol", "the binding's createToken() gave no repo token")),
      );
    const info = ResultAsync.fromPromise(
      Promise.resolve().then(() => handle.info()),
      failed("info()"),
    ).andThen((found) =>
      typeof found?.remote === "string"
        ? okAsync({ remote: found.remote, defaultBranch: found.defaultBranch ?? undefined })
        : errAsync(new GitError("not-found", "the binding's info() gave no remote (no such repo?)")),
    );
    return minting(info, token === undefined ? mint() : undefined, signal).andThen(({ info, minted }) =>
      remoteUrl(info.remote).map((url) => ({
        remote: reached(url, minted?.plaintext ?? (token as string)),
        defaultBranch: info.defaultBranch,
        sources: [bindingSource(handle)],
        release: async () => minted?.revoke(),
      })),
    );
  }

  const given = target as Partial<GitRemote> | null | undefined;
  const remoteToken = given?.token;
  if (!isRepoToken(remoteToken)) return invalid(TOKEN_FORMAT, "token");
  return remoteUrl(given?.remote).asyncMap(async (url) => ({
    remote: reached(url, remoteToken),
    defaultBranch: undefined,
    sources: [],
    release: async () => {},
  }));
}

type Failure = GitError | ArtifactsError;

const TOKEN_FORMAT = "token must be a repo token (art_v1_... or art_v2_...)";

/** A failure of the binding's RPC, without any token it might have echoed. */
function bindingError(what: string, error: unknown): GitError {
  const said = scrub(error instanceof Error ? error.message : String(error));
  return new GitError(/not.?found/i.test(said) ? "not-found" : "protocol", `the binding's ${what} failed: ${said}`);
}

/**
 * The repo's details and a minted token (none when the caller gave one), together. The mint is not given the
 * caller's signal: a token the server made must be known, to be revoked. An abort ends the call at once, and the
 * token is revoked when the mint answers; any other failure revokes it before the call resolves.
 */
function minting<I>(
  info: ResultAsync<I, Failure>,
  mint: ResultAsync<Minted, Failure> | undefined,
  signal: AbortSignal | undefined,
): ResultAsync<{ info: I; minted: Minted | undefined }, Failure> {
  const revoke = async () => (await mint)?.unwrapOr(undefined)?.revoke();
  return new ResultAsync(
    Promise.all([info, untilAborted(mint, signal)]).then(async ([found, minted]) => {
      const error = found.isErr() ? found.error : minted.isErr() ? minted.error : undefined;
      if (error === undefined) return ok({ info: found._unsafeUnwrap(), minted: minted._unsafeUnwrap() });
      const revoked = revoke();
      // Aborted: the caller hears it now, and the revocation goes on without them.
      if (!(error._tag === "TransportError" && error.reason === "abort")) await revoked;
      return err(error);
    }),
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
 * Runs `work` on the reached remote, then releases it (revokes the minted token) before the call resolves,
 * whatever the outcome; or, where `work` held it (`Access.hold`), once what it held for settles. The last guard of
 * the contract: even a bug resolves to an Err, never a rejection.
 */
export function withAccess<T, E = never>(
  access: ResultAsync<Access, Failure>,
  work: (access: CallAccess) => Promise<Result<T, E | GitError | ArtifactsError>>,
): ResultAsync<T, E | GitError | ArtifactsError> {
  return access.andThen((reached) => {
    let held: Promise<unknown> | undefined;
    const release = () =>
      Promise.resolve()
        .then(() => reached.release())
        .catch(() => {});
    return new ResultAsync(
      work({
        ...reached,
        hold: (until) => {
          held = until;
        },
      })
        .catch((error: unknown) => {
          // A GitError thrown deep in the work (an object of the wrong kind) is the answer as it is.
          if (error instanceof GitError) return err(error);
          const message = scrub(`Unexpected failure: ${String(error)}`, reached.remote.token);
          return err(new GitError("protocol", message));
        })
        // Never a rejection, whatever a binding's revokeToken() does.
        .finally(() => {
          if (held === undefined) return release();
          held.then(release, release);
        }),
    );
  });
}
