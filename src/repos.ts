import type { ResultAsync } from "neverthrow";
import { ok } from "neverthrow";
import type { Client } from "./client.js";
import type { ArtifactsError } from "./errors.js";
import * as S from "./schemas.js";
import { type CallOptions, type Page, page, route, send, single } from "./transport.js";
import type {
  CreateRepoRequest,
  CreateRepoResult,
  CursorResultInfo,
  DeleteRepoResult,
  ForkRepoRequest,
  ForkRepoResult,
  ImportRepoRequest,
  ListReposQuery,
  RepoWithRemote,
} from "./types.js";

/** What each route answers, declared once so its schema is compiled once (schemas.ts `validate`). */
const created = single(S.CreateRepoResult, ["token"]);
const forked = single(S.ForkRepoResult, ["token"]);
const repo = single(S.RepoWithRemote);
const repoPage = page(S.RepoWithRemote, S.CursorResultInfo);
const deleted = single(S.Deleted);

/**
 * Creates a repo. `POST /repos`. The result carries the `remote` and a short-lived write `token`.
 *
 * @example
 * const created = await createRepo(client, { name: "notes", default_branch: "main" });
 * if (created.isOk()) console.log(created.value.remote);
 */
export function createRepo(
  client: Client,
  body: CreateRepoRequest,
  options?: CallOptions,
): ResultAsync<CreateRepoResult, ArtifactsError> {
  return send(client, { method: "post", path: ok("repos"), body, expect: created }, options);
}

/**
 * One page of repos. `GET /repos`. Pass `result_info.cursor` back as `cursor` for the next page.
 *
 * @example
 * const listed = await listRepos(client, { limit: 100, sort: "name", direction: "asc" });
 * if (listed.isOk()) { const [repos, { cursor }] = listed.value; }
 */
export function listRepos(
  client: Client,
  query: ListReposQuery = {},
  options?: CallOptions,
): ResultAsync<Page<RepoWithRemote, CursorResultInfo>, ArtifactsError> {
  return send(client, { method: "get", path: ok("repos"), query, expect: repoPage }, options);
}

/**
 * One repo by name. `GET /repos/{name}`.
 *
 * @example
 * const repo = await getRepo(client, "notes");
 */
export function getRepo(
  client: Client,
  name: string,
  options?: CallOptions,
): ResultAsync<RepoWithRemote, ArtifactsError> {
  return send(client, { method: "get", path: route`repos/${{ name }}`, expect: repo }, options);
}

/**
 * Deletes a repo and invalidates its tokens. `DELETE /repos/{name}`, answered 202.
 *
 * @example
 * await deleteRepo(client, "notes");
 */
export function deleteRepo(
  client: Client,
  name: string,
  options?: CallOptions,
): ResultAsync<DeleteRepoResult, ArtifactsError> {
  return send(client, { method: "delete", path: route`repos/${{ name }}`, expect: deleted }, options);
}

/**
 * Forks repo `name` into `body.name`. `POST /repos/{name}/fork`.
 *
 * @example
 * const fork = await forkRepo(client, "notes", { name: "notes-experiment", default_branch_only: true });
 */
export function forkRepo(
  client: Client,
  name: string,
  body: ForkRepoRequest,
  options?: CallOptions,
): ResultAsync<ForkRepoResult, ArtifactsError> {
  return send(client, { method: "post", path: route`repos/${{ name }}/fork`, body, expect: forked }, options);
}

/**
 * Imports a public HTTPS Git remote into the new repo `name`. `POST /repos/{name}/import`.
 * While it runs, the repo answers 409 with `IMPORT_IN_PROGRESS`.
 *
 * @example
 * const imported = await importRepo(client, "ky", { url: "https://github.com/sindresorhus/ky.git", depth: 1 });
 */
export function importRepo(
  client: Client,
  name: string,
  body: ImportRepoRequest,
  options?: CallOptions,
): ResultAsync<CreateRepoResult, ArtifactsError> {
  return send(client, { method: "post", path: route`repos/${{ name }}/import`, body, expect: created }, options);
}
