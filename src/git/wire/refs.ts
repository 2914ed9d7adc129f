import { err, ok, Result } from "neverthrow";
import { GitError } from "../errors.js";
import { isOid } from "../objects/hash.js";
import type { GitResult, Remote } from "./smart-http.js";
import { type Capabilities, lsRefs, type Ref } from "./upload-pack.js";

/**
 * What both calls need from upload-pack's `ls-refs`: which branch `HEAD` names, and which commit a ref names.
 */

/** The branch the remote's `HEAD` points at (unborn in an empty repo, which still names it). */
export async function defaultBranch(remote: Remote, caps: Capabilities): Promise<GitResult<string>> {
  const refs = await lsRefs(remote, caps, ["HEAD"]);
  return refs.andThen((found) => headBranch(found.find((ref) => ref.name === "HEAD")));
}

/** The branch a `HEAD` ref names. */
export function headBranch(head: Ref | undefined): GitResult<string> {
  const target = head?.target;
  if (target?.startsWith("refs/heads/")) return ok(target.slice("refs/heads/".length));
  return err(new GitError("not-found", "the remote's HEAD names no branch"));
}

/**
 * The refs named exactly `names` (`HEAD`, `refs/heads/main`), in one `ls-refs`: what a push needs to know first
 * (the head it replaces), without receive-pack's advertisement of every ref.
 */
export async function refsNamed(
  remote: Remote,
  caps: Capabilities,
  names: readonly string[],
): Promise<GitResult<Map<string, Ref>>> {
  const refs = await lsRefs(remote, caps, [...new Set(names)]);
  return refs.map((found) => new Map(found.filter((ref) => names.includes(ref.name)).map((ref) => [ref.name, ref])));
}

/** The ref names `ref` may mean (a branch before a tag; `HEAD` for none); none for a commit id. */
export function namesOf(ref: string | undefined): string[] {
  if (isOid(ref)) return [];
  return ref === undefined ? ["HEAD"] : [`refs/heads/${ref}`, `refs/tags/${ref}`];
}

/** The commit `ref` names among `refs` (as `refsNamed` read them for `namesOf(ref)`): a tag peeled. */
export function resolvedIn(refs: ReadonlyMap<string, Ref>, ref: string | undefined): GitResult<string> {
  if (isOid(ref)) return ok(ref);
  const match = namesOf(ref)
    .map((name) => refs.get(name))
    .find(Boolean);
  const oid = match?.peeled ?? match?.oid;
  if (oid) return ok(oid);
  return err(
    new GitError(
      "not-found",
      ref === undefined ? "the default branch has no commits yet" : `no branch or tag named ${ref}`,
    ),
  );
}

/**
 * The commit a branch, a tag (peeled) or a commit id names, or the remote's `HEAD` without a ref; a branch wins
 * over a tag of the same name. One `ls-refs` at most, for all of `refs`.
 */
export async function resolveRefs(
  remote: Remote,
  caps: Capabilities,
  refs: readonly (string | undefined)[],
): Promise<GitResult<string[]>> {
  const names = refs.flatMap(namesOf);
  const found = names.length === 0 ? ok(new Map<string, Ref>()) : await refsNamed(remote, caps, names);
  return found.andThen((named) => Result.combine(refs.map((ref) => resolvedIn(named, ref))));
}

export async function resolveRef(
  remote: Remote,
  caps: Capabilities,
  ref: string | undefined,
): Promise<GitResult<string>> {
  return (await resolveRefs(remote, caps, [ref])).map(([oid]) => oid as string);
}
