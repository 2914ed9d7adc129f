import { err, type Result, safeTry } from "neverthrow";
import type { InvalidInputError, TransportError } from "../../errors.js";
import { GitError } from "../errors.js";
import type { GitObject } from "./pack.js";
import { pushPack, type RefUpdate, ZERO_OID } from "./receive-pack.js";
import { namesOf, refsNamed, resolvedIn } from "./refs.js";
import type { Remote } from "./smart-http.js";
import { type Capabilities, capabilities, type Ref } from "./upload-pack.js";

type Failure = GitError | TransportError | InvalidInputError;

/**
 * The ref moved between the look and the update: another push won the race. What each call makes of it differs (a
 * commit without `parent` re-applies its files, the others report a conflict), so it is said, not worded.
 */
export interface RefMoved {
  _tag: "RefMoved";
  /** The ref as it is now; undefined when it no longer (or does not yet) exist. */
  now: Ref | undefined;
}

/**
 * Pushes one ref update (a compare-and-swap from `update.old`). A refusal is looked at once more: when the ref is no
 * longer at `old`, the push lost a race (`RefMoved`); else the refusal stands, as the remote gave it (or, when the
 * look itself fails, that failure).
 */
export async function pushRef(
  remote: Remote,
  caps: Capabilities,
  update: RefUpdate,
): Promise<Result<void, RefMoved | GitError | TransportError | InvalidInputError>> {
  const pushed = await pushPack(remote, update);
  if (pushed.isOk() || pushed.error._tag !== "GitError" || pushed.error.reason !== "rejected") return pushed;
  // Where the look fails, that failure is what is known.
  const refs = await refsNamed(remote, caps, [update.ref]);
  return refs.andThen((found) => {
    const now = found.get(update.ref);
    const at = now?.oid ?? ZERO_OID;
    return at === update.old ? err(pushed.error) : err({ _tag: "RefMoved" as const, now });
  });
}

/**
 * Moves `branch` from `old` to `new` with `objects`: a rejection because the branch moved meanwhile is a `conflict`
 * that says so (nothing was pushed over it), while `doing` what the call does.
 */
export async function pushOnto(
  remote: Remote,
  caps: Capabilities,
  branch: string,
  update: { old: string; new: string; objects: GitObject[] },
  doing: string,
): Promise<Result<void, Failure>> {
  const pushed = await pushRef(remote, caps, { ref: `refs/heads/${branch}`, ...update });
  return pushed.mapErr((error) =>
    error._tag === "RefMoved"
      ? new GitError("conflict", `branch ${branch} moved while ${doing}: nothing was pushed over it`)
      : error,
  );
}

/**
 * Creates `ref` (`refs/heads/…`, `refs/tags/…`) at what `from` names, in one ls-refs (whether it exists, what `from`
 * names) and one ref update: `point` gives what the ref holds (a tag object, for an annotated tag) and the objects to
 * send with it; none, by default: the ref names the commit. A ref already there is a `conflict`, and stays.
 */
export async function createRef(
  remote: Remote,
  ref: string,
  from: string,
  point: (commit: string) => Promise<{ oid: string; objects: GitObject[] }> = async (commit) => ({
    oid: commit,
    objects: [],
  }),
): Promise<Result<{ commit: string; oid: string }, Failure>> {
  return safeTry(async function* () {
    const what = describe(ref);
    const caps = yield* await capabilities(remote);
    const start = from === "HEAD" ? undefined : from;
    const refs = yield* await refsNamed(remote, caps, [ref, ...namesOf(start)]);
    const there = refs.get(ref);
    if (there) return err(new GitError("conflict", `${what} already exists (at ${there.oid})`));
    const commit = yield* resolvedIn(refs, start);
    const { oid, objects } = await point(commit);
    const pushed = await pushRef(remote, caps, { ref, old: ZERO_OID, new: oid, objects });
    // Refused because the ref exists now: another call made it first, which is the conflict it is.
    return pushed
      .map(() => ({ commit, oid }))
      .mapErr((error) =>
        error._tag === "RefMoved"
          ? new GitError("conflict", `${what} was created meanwhile (at ${error.now?.oid})`)
          : error,
      );
  });
}

/**
 * Deletes `ref`; `parent` makes it a compare-and-swap (with the ref's id, or for an annotated tag the commit it
 * names). Resolves to the commit it named.
 */
export async function deleteRef(
  remote: Remote,
  ref: string,
  parent: string | undefined,
): Promise<Result<string, Failure>> {
  return safeTry(async function* () {
    const what = describe(ref);
    const caps = yield* await capabilities(remote);
    const refs = yield* await refsNamed(remote, caps, [ref]);
    const found = refs.get(ref);
    const head = found?.oid;
    if (found === undefined || head === undefined)
      return err(new GitError("not-found", `no ${what.replace(" ", " named ")}`));
    const commit = found.peeled ?? head;
    if (parent !== undefined && head !== parent && commit !== parent) {
      return err(new GitError("conflict", `${what} is at ${commit}, not at the expected parent ${parent}`));
    }
    const pushed = await pushRef(remote, caps, { ref, old: head, new: ZERO_OID });
    return pushed
      .map(() => commit)
      .mapErr((error) =>
        error._tag === "RefMoved" ? new GitError("conflict", `${what} moved while being deleted`) : error,
      );
  });
}

/** `branch main`, `tag v1`: a ref as messages name it. */
const describe = (ref: string) =>
  ref.startsWith("refs/tags/") ? `tag ${ref.slice("refs/tags/".length)}` : `branch ${ref.slice("refs/heads/".length)}`;
