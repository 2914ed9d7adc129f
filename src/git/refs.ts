import { err, ok, type Result } from "neverthrow";
import type { TransportError } from "../errors.js";
import { GitError } from "./errors.js";
import type { ObjectStore } from "./objects.js";
import { type GitResult, protocolError, type Remote } from "./smart-http.js";
import { type Capabilities, fetchPack, fetchSupports, isOid, lsRefs } from "./upload-pack.js";

/**
 * What both calls need from upload-pack: which branch `HEAD` names, which commit a ref names, and a commit's
 * trees in the local store, fetched as cheaply as the remote allows.
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

/**
 * Fetches `commit` without its history, and, when `blobless` and the remote advertises `filter`, without any file
 * contents; otherwise whole, which is correct but not cheap, and said through `debug`. Resolves to the commit's
 * root tree, and whether the files came too.
 */
export async function fetchCommit(
  remote: Remote,
  caps: Capabilities,
  store: ObjectStore,
  commit: string,
  { blobless }: { blobless: boolean },
): Promise<GitResult<{ tree: string; withFiles: boolean }>> {
  const filter = blobless && fetchSupports(caps, "filter") ? "blob:none" : undefined;
  if (blobless && !filter) remote.debug("the remote does not advertise filter: fetching the commit with its files");
  const pack = await fetchPack(remote, caps, { wants: [commit], shallow: fetchSupports(caps, "shallow"), filter });
  if (pack.isErr()) return err(pack.error);
  return stored(remote, store, pack.value, async () => ({ tree: await store.commitTree(commit), withFiles: !filter }));
}

/** Adds a fetched pack to the store, then reads from it; a pack or object isomorphic-git cannot read is a protocol error. */
export async function stored<T>(
  remote: Remote,
  store: ObjectStore,
  pack: Uint8Array,
  read: () => Promise<T>,
): Promise<Result<T, GitError | TransportError>> {
  try {
    await store.addPack(pack);
    return ok(await read());
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return err(protocolError(remote, `the fetched pack is unusable: ${reason}`));
  }
}
