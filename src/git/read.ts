import { err, ok, type Result, type ResultAsync } from "neverthrow";
import type { Client } from "../client.js";
import type { ArtifactsError, InvalidInputError, TransportError } from "../errors.js";
import { type GitCallOptions, type GitRemote, guard, reach, splitArgs, withAccess } from "./access.js";
import type { GitError } from "./errors.js";
import { checkRead, type NonUtf8File, type ReadFilesInput, type ReadFilesResult } from "./input.js";
import { loadTrees, ObjectLoader } from "./loader.js";
import { ObjectStore } from "./objects.js";
import { type Selection, select } from "./path.js";
import { resolveRef } from "./refs.js";
import type { Remote } from "./smart-http.js";
import type { ArtifactsRepoHandle, ObjectSource } from "./sources.js";
import { type ByteString, decodeUtf8, kindOf, toBytes } from "./tree.js";
import { capabilities } from "./upload-pack.js";

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
  target: ArtifactsRepoHandle | GitRemote,
  input?: ReadFilesInput,
  options?: GitCallOptions,
): ResultAsync<ReadFilesResult, GitError | ArtifactsError>;
export function readFiles(
  target: Client | ArtifactsRepoHandle | GitRemote,
  ...rest: [string, ReadFilesInput?, GitCallOptions?] | [ReadFilesInput?, GitCallOptions?]
): ResultAsync<ReadFilesResult, GitError | ArtifactsError> {
  return guard(() => {
    const [repo, input = {}, options = {}] = splitArgs<[ReadFilesInput?, GitCallOptions?]>(target, rest);
    return checkRead(input).asyncAndThen(({ ref, paths }) =>
      withAccess(reach(target, repo, input?.token, "read", options ?? {}), (access) =>
        readWith(access.remote, ref ?? access.defaultBranch, paths, access.sources),
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
  sources: ObjectSource[],
): Promise<Result<ReadFilesResult, Failure>> {
  const caps = await capabilities(remote);
  if (caps.isErr()) return err(caps.error);
  const commit = await resolveRef(remote, caps.value, ref);
  if (commit.isErr()) return err(commit.error);

  const store = new ObjectStore();
  const loader = new ObjectLoader(remote, caps.value, store, sources);
  const selection = select(paths);
  let root: string;
  if (paths === undefined) {
    // Every file is wanted: one fetch of the whole commit is the cheapest way.
    const whole = await loader.whole(commit.value);
    if (whole.isErr()) return err(whole.error);
    root = await store.commitTree(commit.value);
  } else {
    const tree = await loader.commitTree(commit.value);
    if (tree.isErr()) return err(tree.error);
    root = tree.value;
    const loaded = await loadTrees(loader, root, selection.enter);
    if (loaded.isErr()) return err(loaded.error);
  }
  const selected = await selectFiles(store, root, selection);
  const blobs = await loader.blobs(selected.map((file) => file.oid));
  if (blobs.isErr()) return err(blobs.error);

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

/** A file of a tree: its path from the root (its bytes) and its blob. */
interface FileEntry {
  path: ByteString;
  oid: string;
}

/** The selected files (blobs: regular, executable, symlinks; submodules are not files) below `root`. */
async function selectFiles(store: ObjectStore, root: string, selection: Selection): Promise<FileEntry[]> {
  const files: FileEntry[] = [];
  const walk = async (oid: string, prefix: ByteString): Promise<void> => {
    for (const entry of await store.tree(oid)) {
      const path = `${prefix}${entry.name}`;
      const kind = kindOf(entry.mode);
      if (kind === "tree") {
        if (selection.enter(`${path}/`)) await walk(entry.oid, `${path}/`);
      } else if (kind !== "gitlink" && selection.file(path)) {
        files.push({ path, oid: entry.oid });
      }
    }
  };
  await walk(root, "");
  return files;
}
