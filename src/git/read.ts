import { err, ok, type Result, type ResultAsync } from "neverthrow";
import type { Client } from "../client.js";
import type { ArtifactsError, InvalidInputError, TransportError } from "../errors.js";
import { type GitCallOptions, type GitRemote, guard, isClient, reach, withAccess } from "./access.js";
import type { GitError } from "./errors.js";
import { checkRead, type NonUtf8File, type ReadFilesInput, type ReadFilesResult } from "./input.js";
import { ObjectStore } from "./objects.js";
import { fetchCommit, resolveRef, stored } from "./refs.js";
import type { Remote } from "./smart-http.js";
import { type ByteString, decodeUtf8, fromUtf8, kindOf, toBytes } from "./tree.js";
import { type Capabilities, capabilities, fetchPack } from "./upload-pack.js";

/**
 * Reads files of a repo at a branch, tag or commit, without cloning it. With `paths`, where the remote supports
 * partial fetches, only the commit's trees and then the selected files are fetched; otherwise the commit is
 * fetched whole, without history.
 *
 * Called with a client, it mints a read token for the call (revoked when it ends) unless `token` is given; called
 * with `{ remote, token }`, it uses those, and `HEAD` as the default ref.
 *
 * @example
 * const read = await readFiles(client, "notes", { ref: "main", paths: ["README.md", "notes/"] });
 * if (read.isOk()) console.log(new TextDecoder().decode(read.value.files.get("README.md")));
 */
export function readFiles(
  client: Client,
  repo: string,
  input?: ReadFilesInput,
  options?: GitCallOptions,
): ResultAsync<ReadFilesResult, GitError | ArtifactsError>;
export function readFiles(
  remote: GitRemote,
  input?: ReadFilesInput,
  options?: GitCallOptions,
): ResultAsync<ReadFilesResult, GitError | ArtifactsError>;
export function readFiles(
  target: Client | GitRemote,
  ...rest: [string, ReadFilesInput?, GitCallOptions?] | [ReadFilesInput?, GitCallOptions?]
): ResultAsync<ReadFilesResult, GitError | ArtifactsError> {
  return guard(() => {
    const [repo, input = {}, options = {}] = isClient(target)
      ? (rest as [string, ReadFilesInput?, GitCallOptions?])
      : ([undefined, ...rest] as [undefined, ReadFilesInput?, GitCallOptions?]);
    return checkRead(input).asyncAndThen(({ ref, paths }) =>
      withAccess(reach(target, repo, input?.token, "read", options ?? {}), (access) =>
        readWith(access.remote, ref ?? access.defaultBranch, paths),
      ),
    );
  });
}

type Failure = GitError | TransportError | InvalidInputError;

async function readWith(
  remote: Remote,
  /** Undefined: the remote's `HEAD`. */
  ref: string | undefined,
  paths: string[] | undefined,
): Promise<Result<ReadFilesResult, Failure>> {
  const caps = await capabilities(remote);
  if (caps.isErr()) return err(caps.error);
  const commit = await resolveRef(remote, caps.value, ref);
  if (commit.isErr()) return err(commit.error);

  const store = new ObjectStore();
  // Without `paths` every file is wanted: one fetch of the whole commit is the cheapest way.
  const fetched = await fetchCommit(remote, caps.value, store, commit.value, { blobless: paths !== undefined });
  if (fetched.isErr()) return err(fetched.error);
  const selected = await selectFiles(store, fetched.value.tree, paths);
  if (!fetched.value.withFiles && selected.length > 0) {
    const blobs = await fetchBlobs(remote, caps.value, store, selected);
    if (blobs.isErr()) {
      if (blobs.error._tag !== "GitError") return err(blobs.error);
      // A remote may refuse wants of blobs by id: the whole commit then still has them.
      remote.debug(`fetching files by id failed (${blobs.error.message}): fetching the commit with its files`);
      const whole = await fetchCommit(remote, caps.value, store, commit.value, { blobless: false });
      if (whole.isErr()) return err(whole.error);
    }
  }
  const files = new Map<string, Uint8Array>();
  const nonUtf8Files: NonUtf8File[] = [];
  for (const file of selected) {
    const content = await store.blob(file.oid);
    const path = decodeUtf8(file.path);
    if (path === undefined) nonUtf8Files.push({ path: toBytes(file.path), content });
    else files.set(path, content);
  }
  return ok({ commit: commit.value, files, nonUtf8Files });
}

/** Fetches the selected files' blobs by id, in one pack. */
async function fetchBlobs(
  remote: Remote,
  caps: Capabilities,
  store: ObjectStore,
  files: readonly FileEntry[],
): Promise<Result<void, Failure>> {
  const wants = [...new Set(files.map((file) => file.oid))];
  const pack = await fetchPack(remote, caps, { wants });
  if (pack.isErr()) return err(pack.error);
  return stored(remote, store, pack.value, async () => undefined);
}

/** A file of a tree: its path from the root (its bytes) and its blob. */
interface FileEntry {
  path: ByteString;
  oid: string;
}

/**
 * The files (blobs: regular, executable, symlinks) under `root` that `paths` selects: exact paths, or folders
 * written with a trailing slash (`"docs/"`); every file when `paths` is undefined. Submodules are not files. Only
 * folders on a selected path are read. Paths compare as the bytes Git stores (the UTF-8 of what the caller wrote).
 */
async function selectFiles(
  store: ObjectStore,
  root: string,
  paths: readonly string[] | undefined,
): Promise<FileEntry[]> {
  const wanted = paths?.map(fromUtf8);
  const folders = wanted?.filter((path) => path.endsWith("/"));
  const exact = new Set(wanted?.filter((path) => !path.endsWith("/")));
  const selected = (path: ByteString) =>
    !wanted || exact.has(path) || folders?.some((folder) => path.startsWith(folder));
  const worthEntering = (folder: ByteString) =>
    !wanted ||
    folders?.some((chosen) => chosen.startsWith(folder) || folder.startsWith(chosen)) ||
    [...exact].some((path) => path.startsWith(folder));

  const files: FileEntry[] = [];
  const walk = async (oid: string, prefix: ByteString): Promise<void> => {
    for (const entry of await store.tree(oid)) {
      const path = `${prefix}${entry.name}`;
      const kind = kindOf(entry.mode);
      if (kind === "tree") {
        if (worthEntering(`${path}/`)) await walk(entry.oid, `${path}/`);
      } else if (kind !== "gitlink" && selected(path)) {
        files.push({ path, oid: entry.oid });
      }
    }
  };
  await walk(root, "");
  return files;
}
