import { errAsync, ok, okAsync, type Result, ResultAsync, safeTry } from "neverthrow";
import type { Client } from "../client.js";
import { getFile, getLog } from "../contents.js";
import type { ArtifactsError, InvalidInputError, TransportError } from "../errors.js";
import { type GitCallOptions, isClient, optionsProblem, repoInfo } from "./access.js";
import { type GitQuery, gitQuery } from "./call.js";
import type { GitError } from "./errors.js";
import { checkRead, type NonUtf8File, type ReadFilesInput, type ReadFilesResult } from "./input.js";
import { isGlob } from "./objects/glob.js";
import { isOid } from "./objects/hash.js";
import { type FileEntry, loadTrees, ObjectLoader, selectFiles } from "./objects/loader.js";
import { type Selection, select } from "./objects/path.js";
import type { ObjectSource } from "./objects/sources.js";
import { ObjectStore } from "./objects/store.js";
import { decodeUtf8, namedPath, toBytes } from "./objects/tree.js";
import { resolveRef } from "./wire/refs.js";
import type { Remote } from "./wire/smart-http.js";
import { capabilities } from "./wire/upload-pack.js";

/**
 * Reads files of a repo at a branch, tag or commit, without cloning it. With `paths`, where the remote supports
 * partial fetches, only the commit's trees and then the selected files are fetched; otherwise the commit is
 * fetched whole, without history.
 *
 * Called with a client, a few files by exact path (up to 4, no folder) come from the REST contents routes (the
 * commit, then each file: no token, no Git); any other read mints a read token, kept for the next calls (a write
 * token kept serves too), unless `token` is given. Called with `{ remote, token }`, it uses those, and `HEAD` as the
 * default ref.
 *
 * @function
 * @example
 * const read = await readFiles(client, "notes", { ref: "main", paths: ["README.md", "notes/"] });
 * if (read.isOk()) console.log(new TextDecoder().decode(read.value.files.get("README.md")));
 */
export const readFiles: GitQuery<ReadFilesInput, ReadFilesResult> = gitQuery({
  scope: "read",
  check: (input) => checkRead(input as ReadFilesInput),
  inputToken: true,
  // A few files by exact path, with a client: the REST contents routes, no token and no Git.
  first: (target, { repo, input: { ref, paths }, options, token }) => {
    if (!isClient(target) || token !== undefined || !fewFiles(paths)) return okAsync(undefined);
    const wrong = optionsProblem(options);
    if (wrong) return errAsync(wrong);
    return restRead(target, repo as string, ref, paths, options);
  },
  run: (access, { ref, paths }) => readWith(access.remote, ref ?? access.defaultBranch, paths, access.sources),
});

type Failure = GitError | TransportError | InvalidInputError;

/** A read the REST contents routes answer more cheaply than Git: a few files by exact path (no folder, no glob). */
const REST_PATHS = 4;
const fewFiles = (paths: string[] | undefined): paths is string[] =>
  paths !== undefined &&
  paths.length > 0 &&
  paths.length <= REST_PATHS &&
  !paths.some((path) => path.endsWith("/") || isGlob(path));

/**
 * A client's read of a few named files, from the REST contents routes with its API token: the commit `ref` names
 * (`GET /log?ref=&limit=1`; the default branch from `getRepo`, once per client and repo), then each file at that
 * commit (`GET /file?ref=<commit>&path=`), in parallel: no repo token, no Git. A 404 there is a path that names no
 * file. Those routes' bytes are the server's word (Git's objects are checked against their ids); where they answer
 * anything else than this (the log's JSON is undocumented: an entry without a commit id; an error other than a
 * 404), the read goes by Git (undefined), said through `debug`. A failure to reach the server is the read's error.
 */
function restRead(
  client: Client,
  repo: string,
  ref: string | undefined,
  paths: string[],
  options: GitCallOptions,
): ResultAsync<ReadFilesResult | undefined, TransportError> {
  const { debug, maxFetchBytes: _bytes, cacheBytes: _cache, ...call } = options;
  const byGit = (why: string) => {
    try {
      debug?.(`the REST contents routes ${why}: reading by Git`);
    } catch {}
    return okAsync(undefined);
  };
  // Only a failure to reach the server ends the read; the server's own answers are judged below.
  const fallBack = <T>(result: ResultAsync<T, ArtifactsError | GitError>) =>
    result.orElse((error) =>
      error._tag === "TransportError" ? errAsync(error) : okAsync<Refused, TransportError>({ refused: error }),
    );
  const head = ref === undefined ? repoInfo(client, repo, call).map((info) => info.defaultBranch) : okAsync(ref);
  return fallBack(head.andThen((name) => getLog(client, repo, { ref: name, limit: 1 }, call))).andThen((log) => {
    if (isRefused(log)) return byGit(`could not name the commit (${log.refused.message})`);
    const commit = commitId(log[0]);
    if (commit === undefined) return byGit("gave a log entry without a commit id");
    const files = paths.map((path) => fallBack(getFile(client, repo, { ref: commit, path }, call)));
    return ResultAsync.combine(files).andThen((answers) => {
      const read: ReadFilesResult = { commit, files: new Map(), nonUtf8Files: [] };
      for (const [index, answer] of answers.entries()) {
        if (!isRefused(answer)) read.files.set(paths[index] as string, answer);
        else if (!(answer.refused._tag === "HttpError" && answer.refused.status === 404)) {
          return byGit(`could not give ${paths[index]} (${answer.refused.message})`);
        }
      }
      return okAsync(read);
    });
  });
}

/** A REST answer this read does not take, beside the answers it does. */
interface Refused {
  refused: Exclude<ArtifactsError | GitError, TransportError>;
}
const isRefused = (value: unknown): value is Refused =>
  typeof value === "object" && value !== null && "refused" in value && !(value instanceof Uint8Array);

/** The commit id of a log entry (its shape is undocumented: `hash`, as our server has it, or `oid`, `sha`, `id`). */
function commitId(entry: Record<string, unknown> | undefined): string | undefined {
  const id = ["hash", "oid", "sha", "id"].map((key) => entry?.[key]).find(isOid);
  return typeof id === "string" ? id : undefined;
}

async function readWith(
  remote: Remote,
  /** Undefined: the remote's `HEAD`. */
  ref: string | undefined,
  paths: string[] | undefined,
  sources: ObjectSource[],
): Promise<Result<ReadFilesResult, Failure>> {
  return safeTry(async function* () {
    const found = yield* await filesAt(remote, ref, paths === undefined ? undefined : select(paths), sources);
    const { commit, loader, files: selected } = found;
    const { store } = loader;
    yield* await loader.blobs(selected.map((file) => file.oid));

    const files = new Map<string, Uint8Array>();
    const nonUtf8Files: NonUtf8File[] = [];
    for (const file of selected) {
      const content = await store.blob(file.oid);
      const path = decodeUtf8(file.path);
      if (path === undefined) {
        nonUtf8Files.push({ path: namedPath(file.path).path, pathBytes: toBytes(file.path), content });
      } else files.set(path, content);
    }
    return ok({ commit, files, nonUtf8Files });
  });
}

/**
 * The files `selection` picks at `ref` (every file without one), their trees loaded and their blobs not: the
 * commit, and its loader to read them with. Every file is one fetch of the whole commit; some, with `filter`,
 * the commit with its root tree, then the trees on their way a level at a time.
 */
export async function filesAt(
  remote: Remote,
  ref: string | undefined,
  selection: Selection | undefined,
  sources: ObjectSource[],
): Promise<Result<{ commit: string; loader: ObjectLoader; files: FileEntry[] }, Failure>> {
  return safeTry(async function* () {
    const caps = yield* await capabilities(remote);
    const commit = yield* await resolveRef(remote, caps, ref);
    const store = new ObjectStore(remote.kept?.objects);
    const loader = new ObjectLoader(remote, caps, store, sources);
    let root: string;
    if (selection === undefined) {
      yield* await loader.whole(commit);
      root = await store.commitTree(commit);
    } else {
      const tree = yield* await loader.commitTree(commit);
      root = tree;
      yield* await loadTrees(loader, root, selection.enter);
    }
    const files = await selectFiles(store, root, selection ?? select(undefined));
    return ok({ commit: commit, loader, files });
  });
}
