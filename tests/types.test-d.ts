import type { ResultAsync } from "neverthrow";
import { describe, expectTypeOf, it } from "vitest";
import {
  type ArtifactsError,
  type Client,
  type CreateRepoResult,
  type CreateTokenResult,
  type CursorResultInfo,
  createRepo,
  createToken,
  type DeleteRepoResult,
  type DeleteTokenResult,
  deleteRepo,
  deleteToken,
  type ForkRepoResult,
  forkRepo,
  getRepo,
  type HttpError,
  type InvalidInputError,
  importRepo,
  listRepos,
  listTokens,
  type OffsetResultInfo,
  type RepoWithRemote,
  type TokenInfo,
  type TransportError,
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
