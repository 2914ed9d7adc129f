import type { Result, ResultAsync } from "neverthrow";
import { describe, expectTypeOf, it } from "vitest";
import { type ArtifactsEvent, parseArtifactsEvent } from "../src/events/index.js";
import {
  type ApplyPatchError,
  applyPatch,
  type CommitFilesResult,
  commitFiles,
  type GitCallError,
  type GitError,
  type MergeRefsError,
  mergeRefs,
  type ReadFilesResult,
  readFiles,
} from "../src/git/index.js";
import {
  type ArtifactsError,
  allNamespaces,
  allRepos,
  allTokens,
  type Client,
  type CommitInfo,
  type CreateRepoResult,
  type CreateTokenResult,
  type CursorResultInfo,
  collect,
  createNamespace,
  createRepo,
  createToken,
  type DeleteRepoResult,
  type DeleteTokenResult,
  deleteRepo,
  deleteToken,
  type ForkRepoResult,
  forkRepo,
  type GitCredentials,
  getBlob,
  getCommit,
  getFile,
  getLog,
  getNamespace,
  getRaw,
  getRepo,
  getTree,
  gitCredentials,
  type HttpError,
  type InvalidInputError,
  importRepo,
  listNamespaces,
  listRepos,
  listTokens,
  type NamespaceInfo,
  namespacePages,
  type OffsetResultInfo,
  type PageError,
  type Pages,
  type RawContent,
  type RepoWithRemote,
  repoPages,
  type TokenInfo,
  type TransportError,
  type TreeEntry,
  tokenPages,
  waitForRepo,
} from "../src/index.js";

declare const client: Client;

describe("every endpoint's Ok and Err types", () => {
  it("pins the repo functions", () => {
    expectTypeOf(createRepo(client, { name: "n" })).toEqualTypeOf<ResultAsync<CreateRepoResult, ArtifactsError>>();
    expectTypeOf(listRepos(client)).toEqualTypeOf<
      ResultAsync<[items: RepoWithRemote[], result_info: CursorResultInfo], ArtifactsError>
    >();
    expectTypeOf(getRepo(client, "n")).toEqualTypeOf<ResultAsync<RepoWithRemote, ArtifactsError>>();
    expectTypeOf(deleteRepo(client, "n")).toEqualTypeOf<ResultAsync<DeleteRepoResult, ArtifactsError>>();
    expectTypeOf(forkRepo(client, "n", { name: "m" })).toEqualTypeOf<ResultAsync<ForkRepoResult, ArtifactsError>>();
    expectTypeOf(importRepo(client, "n", { url: "u" })).toEqualTypeOf<ResultAsync<CreateRepoResult, ArtifactsError>>();
  });

  it("pins the token functions", () => {
    expectTypeOf(createToken(client, { repo: "n" })).toEqualTypeOf<ResultAsync<CreateTokenResult, ArtifactsError>>();
    expectTypeOf(listTokens(client, "n")).toEqualTypeOf<
      ResultAsync<[items: TokenInfo[], result_info: OffsetResultInfo], ArtifactsError>
    >();
    expectTypeOf(deleteToken(client, "id")).toEqualTypeOf<ResultAsync<DeleteTokenResult, ArtifactsError>>();
  });

  it("pins the namespace and content functions", () => {
    expectTypeOf(createNamespace(client, { namespace: "n" })).toEqualTypeOf<
      ResultAsync<NamespaceInfo, ArtifactsError>
    >();
    expectTypeOf(listNamespaces(client)).toEqualTypeOf<
      ResultAsync<[items: NamespaceInfo[], result_info: CursorResultInfo], ArtifactsError>
    >();
    expectTypeOf(getNamespace(client, "n")).toEqualTypeOf<ResultAsync<NamespaceInfo, ArtifactsError>>();
    expectTypeOf(getLog(client, "n")).toEqualTypeOf<ResultAsync<CommitInfo[], ArtifactsError>>();
    expectTypeOf(getCommit(client, "n", "h")).toEqualTypeOf<ResultAsync<CommitInfo, ArtifactsError>>();
    expectTypeOf(getTree(client, "n", "h")).toEqualTypeOf<ResultAsync<TreeEntry[], ArtifactsError>>();
    expectTypeOf(getBlob(client, "n", "h")).toEqualTypeOf<ResultAsync<Uint8Array, ArtifactsError>>();
    expectTypeOf(getFile(client, "n", { ref: "main", path: "a" })).toEqualTypeOf<
      ResultAsync<Uint8Array, ArtifactsError>
    >();
    expectTypeOf(getRaw(client, "n", "main", "a")).toEqualTypeOf<ResultAsync<RawContent, ArtifactsError>>();
  });

  it("pins the helpers: pagination, waiting, Git credentials", () => {
    expectTypeOf(repoPages(client)).toEqualTypeOf<Pages<RepoWithRemote>>();
    expectTypeOf(tokenPages(client, "n")).toEqualTypeOf<Pages<TokenInfo>>();
    expectTypeOf(namespacePages(client)).toEqualTypeOf<Pages<NamespaceInfo>>();
    expectTypeOf(allRepos(client)).toEqualTypeOf<ResultAsync<RepoWithRemote[], PageError>>();
    expectTypeOf(allTokens(client, "n")).toEqualTypeOf<ResultAsync<TokenInfo[], PageError>>();
    expectTypeOf(allNamespaces(client)).toEqualTypeOf<ResultAsync<NamespaceInfo[], PageError>>();
    expectTypeOf(collect(repoPages(client))).toEqualTypeOf<ResultAsync<RepoWithRemote[], PageError>>();
    expectTypeOf(waitForRepo(client, "n")).toEqualTypeOf<ResultAsync<RepoWithRemote, ArtifactsError>>();
    expectTypeOf(gitCredentials("t")).toEqualTypeOf<Result<GitCredentials, InvalidInputError>>();
  });

  it("pins the subpaths: the data plane and events", () => {
    expectTypeOf(
      commitFiles(client, "n", { message: "m", author: { name: "a", email: "e" }, files: {} }),
    ).toEqualTypeOf<ResultAsync<CommitFilesResult, GitError | ArtifactsError>>();
    expectTypeOf(
      commitFiles({ remote: "r", token: "t" }, { message: "m", author: { name: "a", email: "e" }, files: {} }),
    ).toEqualTypeOf<ResultAsync<CommitFilesResult, GitError | ArtifactsError>>();
    expectTypeOf(readFiles(client, "n")).toEqualTypeOf<ResultAsync<ReadFilesResult, GitError | ArtifactsError>>();
    expectTypeOf(readFiles({ remote: "r", token: "t" })).toEqualTypeOf<
      ResultAsync<ReadFilesResult, GitError | ArtifactsError>
    >();
    expectTypeOf<GitError["reason"]>().toEqualTypeOf<"conflict" | "auth" | "not-found" | "rejected" | "protocol">();
    expectTypeOf(parseArtifactsEvent({})).toEqualTypeOf<Result<ArtifactsEvent, InvalidInputError>>();
    // @ts-expect-error: null deletes, numbers are not content
    commitFiles(client, "n", { message: "m", author: { name: "a", email: "e" }, files: { a: 1 } });
  });

  it("makes the error union discriminated by _tag", () => {
    expectTypeOf<ArtifactsError>().toEqualTypeOf<HttpError | TransportError | InvalidInputError>();
    expectTypeOf<ArtifactsError["_tag"]>().toEqualTypeOf<"HttpError" | "TransportError" | "InvalidInputError">();
    expectTypeOf<Extract<ArtifactsError, { _tag: "HttpError" }>["body"]["errors"][number]["code"]>().toBeNumber();
    expectTypeOf<TransportError["reason"]>().toEqualTypeOf<"network" | "timeout" | "abort">();
  });

  it("uses upstream field names verbatim and rejects typos", () => {
    expectTypeOf<RepoWithRemote["default_branch"]>().toBeString();
    expectTypeOf<CreateTokenResult["plaintext"]>().toBeString();
    expectTypeOf<RepoWithRemote>().not.toHaveProperty("branch");
    // @ts-expect-error: the upstream field is default_branch
    createRepo(client, { name: "n", branch: "main" });
    // @ts-expect-error: scope is "read" | "write"
    createToken(client, { repo: "n", scope: "admin" });
  });
});

describe("./git's error unions, by name", () => {
  it("each call's Err is GitCallError, MergeRefsError or ApplyPatchError, and a handler of that name takes it", () => {
    const client = {} as Client;
    const author = { name: "a", email: "a@b.c" };
    const read = readFiles(client, "notes");
    expectTypeOf(read).toEqualTypeOf<ResultAsync<ReadFilesResult, GitCallError>>();
    expectTypeOf<GitCallError>().toEqualTypeOf<GitError | ArtifactsError>();
    const fail = (error: GitCallError) => error._tag;
    read.mapErr(fail);
    const merged = mergeRefs(client, "notes", { from: "a", into: "main", author });
    expectTypeOf(merged).toEqualTypeOf<ResultAsync<import("../src/git/index.js").MergeRefsResult, MergeRefsError>>();
    const patched = applyPatch(client, "notes", { patch: "", message: "m", author });
    expectTypeOf(patched).toEqualTypeOf<ResultAsync<CommitFilesResult, ApplyPatchError>>();
  });
});
