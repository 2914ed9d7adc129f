import type { ResultAsync } from "neverthrow";
import type { ArtifactsError } from "../errors.js";
import type { Scope } from "../types.js";
import type { GitTarget } from "./access.js";
import type { GitError } from "./errors.js";
import { type Kept, keptFresh } from "./objects/cache.js";

/**
 * What the data plane keeps for one target between its calls (a client with a repo name, a binding's repo handle, a
 * `{ remote, token }` object; by identity: the same object, not an equal one). Beside what cannot go stale
 * (cache.ts: objects by id, capabilities) it keeps:
 * - the repo's remote and default branch, as `getRepo` or the handle's `info()` said them once;
 * - the repo tokens it minted, until a minute before they expire (minted for 10 minutes): the narrowest scope a call
 *   needs, and a write token serves reads. A Git 401 on one mints anew (`renew`). `disposeGit(target)` (or
 *   `await using` on `gitSession(target)`) revokes them; one never revoked expires within 10 minutes.
 */

/** A minted token: its secret, and how to revoke it. */
export interface Minted {
  plaintext: string;
  revoke(): Promise<void>;
}

type Failure = GitError | ArtifactsError;

/** The most a token minted for a target lives: short, so one never revoked leaks little. */
export const MINTED_TTL = 600;
/** A kept token is not used within this long of its expiry: a call must not outlive its token. */
const MARGIN_MS = 60_000;

interface Keeping {
  minted: ResultAsync<Minted, Failure>;
  /** When it stops being used (a minute before it expires). */
  until: number;
  /** The secret, once minted. */
  plaintext?: string;
}

export interface Session extends Kept {
  /** The repo's remote and default branch, once found; a failure is not kept. */
  info<I>(find: () => ResultAsync<I, Failure>): ResultAsync<I, Failure>;
  /** A kept token that serves `scope` (a write token serves reads), or one minted now and kept. */
  token(scope: Scope, mint: (scope: Scope) => ResultAsync<Minted, Failure>): ResultAsync<Minted, Failure>;
  /** Drops `plaintext` (refused by the remote: revoked or expired) and revokes it, so the next `token` mints anew. */
  drop(plaintext: string): void;
  /** Revokes every kept token and forgets it. */
  end(): Promise<void>;
}

const sessions = new WeakMap<object, Map<string, Session>>();

/** The session of `target` (and the repo name, for a client), made on first use. */
export function sessionOf(target: object, repo = ""): Session {
  const byRepo = sessions.get(target) ?? new Map<string, Session>();
  sessions.set(target, byRepo);
  const session = byRepo.get(repo) ?? newSession();
  byRepo.set(repo, session);
  return session;
}

function newSession(): Session {
  let found: ResultAsync<unknown, Failure> | undefined;
  const tokens: Partial<Record<Scope, Keeping>> = {};
  const keep = (scope: Scope, minted: ResultAsync<Minted, Failure>): ResultAsync<Minted, Failure> => {
    const keeping: Keeping = { minted, until: Date.now() + MINTED_TTL * 1000 - MARGIN_MS };
    tokens[scope] = keeping;
    void minted.match(
      (made) => {
        keeping.plaintext = made.plaintext;
      },
      // A failed mint is not kept: the next call tries again.
      () => {
        if (tokens[scope] === keeping) delete tokens[scope];
      },
    );
    return minted;
  };
  return {
    ...keptFresh(),
    info<I>(find: () => ResultAsync<I, Failure>): ResultAsync<I, Failure> {
      if (found) return found as ResultAsync<I, Failure>;
      const finding = find();
      found = finding;
      void finding.mapErr(() => {
        if (found === finding) found = undefined;
      });
      return finding;
    },
    token(scope, mint) {
      const now = Date.now();
      const usable = (keeping: Keeping | undefined) => (keeping && keeping.until > now ? keeping : undefined);
      const kept = usable(tokens.write) ?? (scope === "read" ? usable(tokens.read) : undefined);
      return kept?.minted ?? keep(scope, mint(scope));
    },
    drop(plaintext) {
      for (const scope of ["read", "write"] as const) {
        const keeping = tokens[scope];
        if (keeping?.plaintext !== plaintext) continue;
        delete tokens[scope];
        void keeping.minted.map((minted) => minted.revoke());
      }
    },
    async end() {
      const kept = Object.values(tokens);
      for (const scope of Object.keys(tokens) as Scope[]) delete tokens[scope];
      found = undefined;
      await Promise.all(kept.map((keeping) => keeping.minted.map((minted) => minted.revoke())));
    },
  };
}

/**
 * Ends what the data plane keeps for `target` (a client, a binding's repo handle, a `{ remote, token }` object):
 * revokes the repo tokens it minted for it, and forgets them with its cached objects and capabilities. Never
 * rejects. In a Worker, `ctx.waitUntil(disposeGit(handle))`; in a script, before it exits. A token never revoked
 * expires within 10 minutes anyway.
 *
 * @example
 * const handle = await env.ARTIFACTS.get("notes");
 * await commitFiles(handle, { message: "a", author, files: { "a.txt": "a" } });
 * await readFiles(handle, { paths: ["a.txt"] }); // the same token, the trees and blob from the first call
 * ctx.waitUntil(disposeGit(handle));
 */
export async function endSession(target: GitTarget): Promise<void> {
  const byRepo = sessions.get(target);
  sessions.delete(target);
  if (!byRepo) return;
  await Promise.all([...byRepo.values()].map((session) => session.end()));
}

/**
 * What holds the tokens kept for `target`, for `await using`: its disposal is `disposeGit(target)`.
 *
 * @example
 * await using _session = gitSession(client);
 * await commitFiles(client, "notes", { message, author, files });
 * await readFiles(client, "notes", { paths: ["a.txt"] }); // the same token: revoked as the scope ends
 */
export function gitSession(target: GitTarget): AsyncDisposable {
  return { [Symbol.asyncDispose]: () => endSession(target) };
}
