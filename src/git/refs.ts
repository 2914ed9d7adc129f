import { err, ok } from "neverthrow";
import { GitError } from "./errors.js";
import { isOid } from "./hash.js";
import type { GitResult, Remote } from "./smart-http.js";
import { type Capabilities, lsRefs } from "./upload-pack.js";

/**
 * What both calls need from upload-pack's `ls-refs`: which branch `HEAD` names, and which commit a ref names.
 */

/** The branch the remote's `HEAD` points at (unborn in an empty repo, which still names it). */
export async function defaultBranch(remote: Remote, caps: Capabilities): Promise<GitResult<string>> {
  const refs = await lsRefs(remote, caps, ["HEAD"]);
  return refs.andThen((found) => {
    const target = found.find((ref) => ref.name === "HEAD")?.target;
    if (target?.startsWith("refs/heads/")) return ok(target.slice("refs/heads/".length));
    return err(new GitError("not-found", "the remote's HEAD names no branch"));
  });
}

/**
 * The commit a branch, a tag (peeled) or a commit id names, or the remote's `HEAD` without a ref; a branch wins
 * over a tag of the same name. One `ls-refs` at most.
 */
export async function resolveRef(
  remote: Remote,
  caps: Capabilities,
  ref: string | undefined,
): Promise<GitResult<string>> {
  if (isOid(ref)) return ok(ref);
  const prefixes = ref === undefined ? ["HEAD"] : [`refs/heads/${ref}`, `refs/tags/${ref}`];
  const refs = await lsRefs(remote, caps, prefixes);
  return refs.andThen((found) => {
    const match = prefixes.map((name) => found.find((candidate) => candidate.name === name)).find(Boolean);
    const oid = match?.peeled ?? match?.oid;
    if (oid) return ok(oid);
    return err(
      new GitError(
        "not-found",
        ref === undefined ? "the default branch has no commits yet" : `no branch or tag named ${ref}`,
      ),
    );
  });
}
