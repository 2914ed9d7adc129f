/**
 * The Artifacts API's own types, names and snake_case fields verbatim from upstream, so code written against
 * the Cloudflare docs reads the same here. Responses may carry fields added after this release: they are kept
 * at run time, just not typed.
 */

/**
 * A token's permission: `read` clones and fetches; `write` also pushes.
 *
 * @example
 * const scope: Scope = "read";
 */
export type Scope = "read" | "write";
/**
 * Where a token is in its life. Listings default to `active`; `state: "all"` shows every one.
 *
 * @example
 * const result = await listTokens(client, "notes", { state: "all" });
 * if (result.isOk()) {
 *   const [tokens] = result.value;
 *   const revoked = tokens.filter((token) => token.state === "revoked");
 * }
 */
export type TokenState = "active" | "expired" | "revoked";
/**
 * What `listRepos` can sort by (default `created_at`).
 *
 * @example
 * await listRepos(client, { sort: "last_push_at", direction: "desc" });
 */
export type RepoSortField = "created_at" | "updated_at" | "last_push_at" | "name";
/**
 * Sort order for `listRepos` (default `desc`).
 *
 * @example
 * await listRepos(client, { sort: "name", direction: "asc" });
 */
export type SortDirection = "asc" | "desc";

/**
 * One entry of the v4 envelope's `errors` or `messages`.
 *
 * @example
 * if (err._tag === "HttpError") for (const { code, message } of err.body.errors) console.log(code, message);
 */
export interface ApiError {
  code: number;
  message: string;
  documentation_url?: string;
  source?: { pointer?: string };
}

/**
 * Cursor pagination (repos, namespaces). The documented envelope makes `result_info` optional and leaves the last
 * page's cursor undocumented, so every field may be absent (an absent `result_info` reads as `{}`, as the Elixir
 * client's `%{}`), and a missing, `null` or empty `cursor` means there is no next page.
 *
 * @example
 * const result = await listRepos(client, { limit: 200 });
 * if (result.isOk()) {
 *   const [repos, { cursor }] = result.value;
 *   if (cursor) await listRepos(client, { limit: 200, cursor });
 * }
 */
export interface CursorResultInfo {
  cursor?: string | null;
  per_page?: number;
  count?: number;
}

/**
 * Page pagination (tokens): `page` of `total_pages`. `result_info` is optional in the documented envelope, so
 * every field may be absent (an absent `result_info` reads as `{}`).
 *
 * @example
 * const result = await listTokens(client, "notes", { per_page: 100 });
 * if (result.isOk()) {
 *   const [, info] = result.value;
 *   const more = (info.page ?? 1) < (info.total_pages ?? 1);
 * }
 */
export interface OffsetResultInfo {
  page?: number;
  per_page?: number;
  total_pages?: number;
  count?: number;
  total_count?: number;
}

/**
 * Either kind of `result_info`, as an envelope may carry it.
 *
 * @example
 * const info: ResultInfo | undefined = err.body.result_info;
 */
export type ResultInfo = CursorResultInfo | OffsetResultInfo;

/**
 * The Cloudflare v4 envelope around every JSON response. An `HttpError` always carries one in `body`.
 *
 * @example
 * if (err._tag === "HttpError" && err.body.errors[0]?.code === ErrorCode.INVALID_TTL) useAShorterTtl();
 */
export interface ApiEnvelope<T = unknown> {
  result: T | null;
  success: boolean;
  errors: ApiError[];
  messages: ApiError[];
  result_info?: ResultInfo;
}

/**
 * A repo as the API describes it.
 *
 * @example
 * const result = await getRepo(client, "notes");
 * if (result.isOk()) {
 *   const { default_branch, last_push_at } = result.value;
 * }
 */
export interface RepoInfo {
  id: string;
  name: string;
  description: string | null;
  default_branch: string;
  created_at: string;
  updated_at: string;
  last_push_at: string | null;
  /** The fork or import origin, or null. */
  source: string | null;
  read_only: boolean;
  /** Shown by some versions of the docs and the Workers binding, not by the REST reference: read it when present. */
  status?: RepoStatus;
}

/**
 * Where a repo is in its making, as the Workers binding and Wrangler show it. Other values may come.
 *
 * @example
 * const ready = (await getRepo(client, "notes")).map((repo) => repo.status === undefined || repo.status === "ready");
 */
export type RepoStatus = "creating" | "ready" | "importing" | "forking" | (string & {});

/**
 * A repo and its Git remote, as `getRepo` and `listRepos` return it.
 *
 * @example
 * const result = await getRepo(client, "notes");
 * if (result.isOk()) {
 *   const repo = result.value;
 *   await git.clone({ fs, http, dir, url: repo.remote, onAuth });
 * }
 */
export interface RepoWithRemote extends RepoInfo {
  /** The Git smart-HTTP URL to clone and push. */
  remote: string;
}

/**
 * The body of `createRepo`.
 *
 * @example
 * await createRepo(client, { name: "notes", description: "Agent notes", default_branch: "main" });
 */
export interface CreateRepoRequest {
  name: string;
  description?: string;
  default_branch?: string;
  read_only?: boolean;
}

/**
 * What `createRepo` (and `importRepo`) answer: the new repo, its remote and a short-lived write token.
 *
 * @example
 * const result = await createRepo(client, { name: "notes" });
 * if (result.isOk()) {
 *   const { remote, token } = result.value;
 * }
 */
export interface CreateRepoResult {
  id: string;
  name: string;
  description: string | null;
  default_branch: string;
  remote: string;
  /** A short-lived repo token (a secret: redacted when inspected). */
  token: string;
  /** When `token` expires, where the answer says it (some versions of the docs name it one way, some the other). */
  token_expires_at?: string;
  expires_at?: string;
}

/**
 * The body of `forkRepo`: the new repo's name and options.
 *
 * @example
 * await forkRepo(client, "notes", { name: "notes-fork", default_branch_only: true });
 */
export interface ForkRepoRequest {
  /** The new repo's name. */
  name: string;
  description?: string;
  read_only?: boolean;
  default_branch_only?: boolean;
}

/**
 * What `forkRepo` answers: the new repo, with the number of objects copied.
 *
 * @example
 * const result = await forkRepo(client, "notes", { name: "copy" });
 * if (result.isOk()) {
 *   const { objects } = result.value;
 * }
 */
export interface ForkRepoResult extends CreateRepoResult {
  objects: number;
}

/**
 * The body of `importRepo`.
 *
 * @example
 * await importRepo(client, "ky", { url: "https://github.com/sindresorhus/ky.git", branch: "main", depth: 1 });
 */
export interface ImportRepoRequest {
  /** A public HTTPS Git remote. */
  url: string;
  branch?: string;
  depth?: number;
  read_only?: boolean;
}

/**
 * What `deleteRepo` answers (HTTP 202).
 *
 * @example
 * const result = await deleteRepo(client, "notes");
 * if (result.isOk()) {
 *   const { id } = result.value;
 * }
 */
export interface DeleteRepoResult {
  id: string;
}

/**
 * The query of `listRepos`.
 *
 * @example
 * await listRepos(client, { limit: 200, search: "agent", sort: "name", direction: "asc" });
 */
export interface ListReposQuery {
  /** Default 50, max 200. */
  limit?: number;
  cursor?: string;
  search?: string;
  sort?: RepoSortField;
  direction?: SortDirection;
}

/**
 * A repo token as listings show it: never with its plaintext.
 *
 * @example
 * const result = await listTokens(client, "notes");
 * if (result.isOk()) {
 *   const [tokens] = result.value;
 *   for (const { id, scope, expires_at } of tokens) console.log(id, scope, expires_at);
 * }
 */
export interface TokenInfo {
  id: string;
  scope: Scope;
  state: TokenState;
  created_at: string;
  expires_at: string;
}

/**
 * The body of `createToken`.
 *
 * @example
 * await createToken(client, { repo: "notes", scope: "read", ttl: 3600 });
 */
export interface CreateTokenRequest {
  repo: string;
  /** Default `write`. */
  scope?: Scope;
  /** Seconds, default 86400; the server answers 10103 outside 60–31,536,000. */
  ttl?: number;
}

/**
 * What `createToken` answers: the only time the token's plaintext is shown.
 *
 * @example
 * const result = await createToken(client, { repo: "notes" });
 * if (result.isOk()) {
 *   const { plaintext } = result.value;
 *   const creds = gitCredentials(plaintext);
 * }
 */
export interface CreateTokenResult {
  id: string;
  /** The full repo token, `art_v1_<hex>?expires=<unix>` (a secret: redacted when inspected). */
  plaintext: string;
  scope: Scope;
  expires_at: string;
}

/**
 * What `deleteToken` answers.
 *
 * @example
 * const result = await deleteToken(client, "abcdefghij012345");
 * if (result.isOk()) {
 *   const { id } = result.value;
 * }
 */
export interface DeleteTokenResult {
  id: string;
}

/**
 * The query of `listTokens`.
 *
 * @example
 * await listTokens(client, "notes", { state: "all", per_page: 100, page: 2 });
 */
export interface ListTokensQuery {
  /** Default `active`. */
  state?: TokenState | "all";
  /** Default 30, max 100. */
  per_page?: number;
  /** Default 1. */
  page?: number;
}

// ------------------------------------------------------------------ namespaces (account level)

/**
 * Where a namespace's data is kept.
 *
 * @example
 * await createNamespace(client, { namespace: "agents-eu", jurisdiction: "eu" });
 */
export type Jurisdiction = "eu" | "us";

/**
 * The body of `createNamespace`.
 *
 * @example
 * await createNamespace(client, { namespace: "agents-eu", jurisdiction: "eu" });
 */
export interface CreateNamespaceRequest {
  namespace: string;
  jurisdiction?: Jurisdiction;
}

/**
 * A namespace. Upstream documents no response shape for the namespace routes; these are the fields its sources
 * show, each of which may be absent. Its name comes as `namespace` or as `name` (Cloudflare's own tooling accepts
 * either).
 *
 * @example
 * const result = await getNamespace(client, "default");
 * if (result.isOk()) {
 *   const info = result.value;
 *   const name = info.namespace ?? info.name;
 * }
 */
export interface NamespaceInfo {
  namespace?: string;
  name?: string;
  jurisdiction?: string | null;
  repo_count?: number;
  created_at?: string;
  updated_at?: string;
}

/**
 * The query of `listNamespaces`.
 *
 * @example
 * await listNamespaces(client, { limit: 200 });
 */
export interface ListNamespacesQuery {
  /** Default 100, max 200. */
  limit?: number;
  cursor?: string;
}

// ------------------------------------------------------------------ repo contents (read-only)

/**
 * The query of `getLog`.
 *
 * @example
 * await getLog(client, "notes", { ref: "main", limit: 20, offset: 20 });
 */
export interface LogQuery {
  /** A branch, tag or commit; default the repo's default branch. */
  ref?: string;
  limit?: number;
  offset?: number;
}

/**
 * A commit as JSON. Upstream leaves the shape undocumented, so no field is promised: read what you need and
 * check it. The local server answers `{ hash, tree, parents, author, committer, message }`.
 *
 * @example
 * const result = await getLog(client, "notes", { limit: 1 });
 * if (result.isOk()) {
 *   const [head] = result.value;
 *   if (typeof head?.hash === "string") await getCommit(client, "notes", head.hash);
 * }
 */
export type CommitInfo = Record<string, unknown>;

/**
 * One entry of a tree as JSON; shape undocumented upstream (the local server: `{ mode, type, hash, name }`).
 *
 * @example
 * const result = await getTree(client, "notes", treeHash);
 * if (result.isOk()) {
 *   const entries = result.value;
 * }
 */
export type TreeEntry = Record<string, unknown>;

/**
 * A file served by the raw route: its bytes, and the content type the server sniffed.
 *
 * @example
 * const result = await getRaw(client, "site", "main", "index.html");
 * if (result.isOk()) {
 *   const { bytes, contentType } = result.value;
 * }
 */
export interface RawContent {
  bytes: Uint8Array;
  contentType: string;
}
