/**
 * The Artifacts API's own types, names and snake_case fields verbatim from upstream, so code written against
 * the Cloudflare docs reads the same here. Responses may carry fields added after this release: they are kept
 * at run time, just not typed.
 */

/** A token's permission: `read` clones and fetches; `write` also pushes. */
export type Scope = "read" | "write";
export type TokenState = "active" | "expired" | "revoked";
export type RepoSortField = "created_at" | "updated_at" | "last_push_at" | "name";
export type SortDirection = "asc" | "desc";

/** One entry of the v4 envelope's `errors` or `messages`. */
export interface ApiError {
  code: number;
  message: string;
  documentation_url?: string;
  source?: { pointer?: string };
}

/** Cursor pagination (repos, namespaces): an empty `cursor` means there is no next page. */
export interface CursorResultInfo {
  cursor: string;
  per_page: number;
  count: number;
}

/** Page pagination (tokens). */
export interface OffsetResultInfo {
  page: number;
  per_page: number;
  total_pages: number;
  count: number;
  total_count: number;
}

export type ResultInfo = CursorResultInfo | OffsetResultInfo;

/** The Cloudflare v4 envelope around every JSON response. */
export interface ApiEnvelope<T = unknown> {
  result: T | null;
  success: boolean;
  errors: ApiError[];
  messages: ApiError[];
  result_info?: ResultInfo;
}

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
}

export interface RepoWithRemote extends RepoInfo {
  /** The Git smart-HTTP URL to clone and push. */
  remote: string;
}

export interface CreateRepoRequest {
  name: string;
  description?: string;
  default_branch?: string;
  read_only?: boolean;
}

export interface CreateRepoResult {
  id: string;
  name: string;
  description: string | null;
  default_branch: string;
  remote: string;
  /** A short-lived repo token (a secret: redacted when inspected). */
  token: string;
}

export interface ForkRepoRequest {
  /** The new repo's name. */
  name: string;
  description?: string;
  read_only?: boolean;
  default_branch_only?: boolean;
}

export interface ForkRepoResult extends CreateRepoResult {
  objects: number;
}

export interface ImportRepoRequest {
  /** A public HTTPS Git remote. */
  url: string;
  branch?: string;
  depth?: number;
  read_only?: boolean;
}

export interface DeleteRepoResult {
  id: string;
}

export interface ListReposQuery {
  /** Default 50, max 200. */
  limit?: number;
  cursor?: string;
  search?: string;
  sort?: RepoSortField;
  direction?: SortDirection;
}

export interface TokenInfo {
  id: string;
  scope: Scope;
  state: TokenState;
  created_at: string;
  expires_at: string;
}

export interface CreateTokenRequest {
  repo: string;
  /** Default `write`. */
  scope?: Scope;
  /** Seconds, default 86400; the server answers 10103 outside 60–31,536,000. */
  ttl?: number;
}

export interface CreateTokenResult {
  id: string;
  /** The full repo token, `art_v1_<hex>?expires=<unix>` (a secret: redacted when inspected). */
  plaintext: string;
  scope: Scope;
  expires_at: string;
}

export interface DeleteTokenResult {
  id: string;
}

export interface ListTokensQuery {
  /** Default `active`. */
  state?: TokenState | "all";
  /** Default 30, max 100. */
  per_page?: number;
  /** Default 1. */
  page?: number;
}

// ------------------------------------------------------------------ namespaces (account level)

/** Where a namespace's data is kept. */
export type Jurisdiction = "eu" | "us";

export interface CreateNamespaceRequest {
  namespace: string;
  jurisdiction?: Jurisdiction;
}

/**
 * A namespace. Upstream documents no response shape for the namespace routes; these are the fields its sources
 * show, so only `namespace` is required and the rest may be absent.
 */
export interface NamespaceInfo {
  namespace: string;
  jurisdiction?: string | null;
  repo_count?: number;
  created_at?: string;
  updated_at?: string;
}

export interface ListNamespacesQuery {
  /** Default 100, max 200. */
  limit?: number;
  cursor?: string;
}

// ------------------------------------------------------------------ repo contents (read-only)

export interface LogQuery {
  /** A branch, tag or commit; default the repo's default branch. */
  ref?: string;
  limit?: number;
  offset?: number;
}

/**
 * A commit as JSON. Upstream leaves the shape undocumented, so no field is promised: read what you need and
 * check it. The local server answers `{ hash, tree, parents, author, committer, message }`.
 */
export type CommitInfo = Record<string, unknown>;

/** One entry of a tree as JSON; shape undocumented upstream (the local server: `{ mode, type, hash, name }`). */
export type TreeEntry = Record<string, unknown>;

/** A file served by the raw route: its bytes, and the content type the server sniffed. */
export interface RawContent {
  bytes: Uint8Array;
  contentType: string;
}
