import { rm } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { countObjects, GitCommandError, git } from "./git.js";
import { type ArtifactsState, expiresAt, type RepoRecord, type Scope, type TokenRecord } from "./state.js";

/**
 * The REST control plane: each route validates as upstream documents, answers with the upstream error codes,
 * and uses the status mapping of the spec (itself undocumented upstream: 400 for input, 404 not found,
 * 409 conflicts, 422 remote auth, 502 upstream). Where the docs leave a behaviour open, a comment says what
 * was chosen and why.
 */

export interface ServerContext {
  state: ArtifactsState;
  repoDir(repo: RepoRecord): string;
  remote(repo: RepoRecord): string;
  operationDelayMs: number;
}

export interface Request {
  params: Record<string, string>;
  query: URLSearchParams;
  body(): Promise<unknown>;
  ctx: ServerContext;
}

export interface Reply {
  status: number;
  result: unknown;
  result_info?: unknown;
}

/** An API error answer; thrown from anywhere in a handler. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export type Failure = Pick<ApiFailure, "status" | "code" | "message">;

const invalid = (message: string) => new ApiFailure(400, 10100, message);
const notFound = (message: string) => new ApiFailure(404, 10200, message);

const REPO_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;
/** Upstream documents no maximum repo name length; 100 is this server's choice. */
const REPO_NAME_MAX = 100;
const BRANCH = /^[a-zA-Z0-9][a-zA-Z0-9._/-]*$/;
const TOKEN_ID = /^[0-9a-z]{16}$/;
const TTL = { min: 60, max: 31_536_000, default: 86_400 };
/** The inline token of create/fork/import is "short-lived"; its lifetime is undocumented: one hour here. */
const INLINE_TOKEN_TTL = 3600;

// ---------------------------------------------------------------- validation

function repoName(name: unknown, field = "name"): string {
  if (typeof name !== "string" || name === "") throw new ApiFailure(400, 10101, `${field} is required`);
  if (!REPO_NAME.test(name) || name.length > REPO_NAME_MAX) {
    throw new ApiFailure(
      400,
      10101,
      `${field} must start with a letter or digit, then letters, digits, '.', '_' or '-', at most ${REPO_NAME_MAX} characters`,
    );
  }
  return name;
}

function branchName(value: unknown, field: string): string {
  if (
    typeof value !== "string" ||
    !BRANCH.test(value) ||
    value.includes("..") ||
    value.endsWith("/") ||
    value.endsWith(".")
  ) {
    throw invalid(`${field} is not a valid branch name`);
  }
  return value;
}

async function objectBody(request: Request): Promise<Record<string, unknown>> {
  const body = await request.body();
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw invalid("request body must be a JSON object");
  return body as Record<string, unknown>;
}

function optional<T>(
  body: Record<string, unknown>,
  field: string,
  check: (value: unknown) => value is T,
  kind: string,
) {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!check(value)) throw invalid(`${field} must be ${kind}`);
  return value;
}
const isString = (value: unknown): value is string => typeof value === "string";
const isBoolean = (value: unknown): value is boolean => typeof value === "boolean";
const isInteger = (value: unknown): value is number => Number.isInteger(value);

function queryInteger(query: URLSearchParams, field: string, fallback: number, min: number, max: number): number {
  const raw = query.get(field);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max)
    throw invalid(`${field} must be an integer from ${min} to ${max}`);
  return value;
}

function queryChoice<T extends string>(query: URLSearchParams, field: string, choices: readonly T[], fallback: T): T {
  const raw = query.get(field);
  if (raw === null) return fallback;
  if (!(choices as readonly string[]).includes(raw)) throw invalid(`${field} must be one of ${choices.join(", ")}`);
  return raw as T;
}

// ---------------------------------------------------------------- shapes

function repoWithRemote(ctx: ServerContext, repo: RepoRecord) {
  const { id, name, description, default_branch, created_at, updated_at, last_push_at, source, read_only } = repo;
  return {
    id,
    name,
    description,
    default_branch,
    created_at,
    updated_at,
    last_push_at,
    source,
    read_only,
    remote: ctx.remote(repo),
  };
}

function created(ctx: ServerContext, repo: RepoRecord) {
  const { plaintext } = ctx.state.mintToken(repo, "write", INLINE_TOKEN_TTL);
  const { id, name, description, default_branch } = repo;
  return { id, name, description, default_branch, remote: ctx.remote(repo), token: plaintext };
}

function tokenInfo(state: ArtifactsState, token: TokenRecord) {
  return {
    id: token.id,
    scope: token.scope,
    state: state.tokenState(token),
    created_at: token.created_at,
    expires_at: expiresAt(token),
  };
}

// ---------------------------------------------------------------- lookups

/** A repo that exists and is not being imported or forked. */
function readyRepo(ctx: ServerContext, namespace: string, name: string): RepoRecord {
  const repo = ctx.state.findRepo(namespace, name);
  if (!repo) throw notFound(`repo '${name}' not found`);
  assertReady(repo);
  return repo;
}

function assertReady(repo: RepoRecord): void {
  if (repo.status === "importing") throw new ApiFailure(409, 10302, `repo '${repo.name}' is still importing`);
  if (repo.status === "forking") throw new ApiFailure(409, 10303, `repo '${repo.name}' is still forking`);
}

/** The name must be free; one still importing or forking answers its in-progress code, as upstream may. */
function assertFree(ctx: ServerContext, namespace: string, name: string): void {
  const existing = ctx.state.findRepo(namespace, name);
  if (!existing) return;
  assertReady(existing);
  throw new ApiFailure(409, 10201, `repo '${name}' already exists`);
}

// ---------------------------------------------------------------- repos

async function createRepo(request: Request): Promise<Reply> {
  const { params, ctx } = request;
  const body = await objectBody(request);
  const name = repoName(body.name);
  const description = optional(body, "description", isString, "a string") ?? null;
  const defaultBranch = branchName(optional(body, "default_branch", isString, "a string") ?? "main", "default_branch");
  const readOnly = optional(body, "read_only", isBoolean, "a boolean") ?? false;
  assertFree(ctx, params.ns!, name);
  // Claimed before the first await: of many concurrent creates of one name, exactly one gets here.
  const repo = ctx.state.addRepo({
    namespace: params.ns!,
    name,
    description,
    default_branch: defaultBranch,
    source: null,
    read_only: readOnly,
    status: "ready",
  });
  try {
    await git(["init", "--quiet", "--bare", `--initial-branch=${defaultBranch}`, ctx.repoDir(repo)]);
  } catch (error) {
    ctx.state.removeRepo(repo);
    throw error;
  }
  return { status: 201, result: created(ctx, repo) };
}

/** Cursor pagination: the cursor names the last item of the page, so inserts and deletes never skip or repeat. */
function listRepos({ params, query, ctx }: Request): Reply {
  const limit = queryInteger(query, "limit", 50, 1, 200);
  const sort = queryChoice(query, "sort", ["created_at", "updated_at", "last_push_at", "name"] as const, "created_at");
  const direction = queryChoice(query, "direction", ["asc", "desc"] as const, "desc");
  const after = decodeCursor(query.get("cursor"));
  // Plausible, undocumented: search is a case-insensitive substring of the name.
  const search = query.get("search")?.toLowerCase() ?? "";
  const sign = direction === "asc" ? 1 : -1;
  const key = (repo: RepoRecord): [string, string] => [String(repo[sort] ?? ""), repo.name];
  const compare = (a: [string, string], b: [string, string]) =>
    sign * (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);

  const repos = [...(ctx.state.namespaces.get(params.ns!)?.repos.values() ?? [])]
    .filter((repo) => repo.name.toLowerCase().includes(search))
    .filter((repo) => after === undefined || compare(key(repo), after) > 0)
    .sort((a, b) => compare(key(a), key(b)));
  const page = repos.slice(0, limit);
  const last = page.at(-1);
  const cursor = repos.length > limit && last ? encodeCursor(key(last)) : "";
  return {
    status: 200,
    result: page.map((repo) => repoWithRemote(ctx, repo)),
    result_info: { cursor, per_page: limit, count: page.length },
  };
}

function encodeCursor(key: [string, string]): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

function decodeCursor(cursor: string | null): [string, string] | undefined {
  if (cursor === null || cursor === "") return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(key) && key.length === 2 && key.every(isString)) return key as [string, string];
  } catch {}
  throw invalid("cursor is not valid");
}

function getRepo({ params, ctx }: Request): Reply {
  return { status: 200, result: repoWithRemote(ctx, readyRepo(ctx, params.ns!, params.name!)) };
}

async function deleteRepo({ params, ctx }: Request): Promise<Reply> {
  const repo = ctx.state.findRepo(params.ns!, params.name!);
  if (!repo) throw notFound(`repo '${params.name}' not found`);
  ctx.state.removeRepo(repo);
  await rm(ctx.repoDir(repo), { recursive: true, force: true });
  return { status: 202, result: { id: repo.id } };
}

async function forkRepo(request: Request): Promise<Reply> {
  const { params, ctx } = request;
  const body = await objectBody(request);
  const source = readyRepo(ctx, params.ns!, params.name!);
  const name = repoName(body.name);
  const description = optional(body, "description", isString, "a string") ?? null;
  const readOnly = optional(body, "read_only", isBoolean, "a boolean") ?? false;
  const defaultBranchOnly = optional(body, "default_branch_only", isBoolean, "a boolean") ?? false;
  assertFree(ctx, params.ns!, name);
  const fork = ctx.state.addRepo({
    namespace: params.ns!,
    name,
    description,
    default_branch: source.default_branch,
    // Upstream says only "the fork or import origin": here, the source repo's remote.
    source: ctx.remote(source),
    read_only: readOnly,
    status: "forking",
  });
  return runOperation(ctx, fork, async (dir) => {
    const sourceDir = ctx.repoDir(source);
    const hasDefault = await git(["rev-parse", "--verify", "--quiet", `refs/heads/${source.default_branch}`], sourceDir)
      .then(() => true)
      .catch(() => false);
    const only = defaultBranchOnly && hasDefault ? ["--single-branch", "--branch", source.default_branch] : [];
    await git(["clone", "--quiet", "--bare", "--no-hardlinks", ...only, sourceDir, dir]);
    return { ...created(ctx, fork), objects: await countObjects(dir) };
  });
}

async function importRepo(request: Request): Promise<Reply> {
  const { params, ctx } = request;
  const body = await objectBody(request);
  const name = repoName(params.name);
  if (typeof body.url !== "string") throw invalid("url is required");
  const url = parseRemote(body.url);
  const branch = optional(body, "branch", isString, "a string");
  if (branch !== undefined) branchName(branch, "branch");
  const depth = optional(body, "depth", isInteger, "an integer");
  if (depth !== undefined && depth < 1) throw invalid("depth must be at least 1");
  const readOnly = optional(body, "read_only", isBoolean, "a boolean") ?? false;
  assertFree(ctx, params.ns!, name);
  const repo = ctx.state.addRepo({
    namespace: params.ns!,
    name,
    description: null,
    default_branch: branch ?? "main",
    // Credentials in the URL are a secret: `source` keeps the origin without them.
    source: withoutCredentials(url),
    read_only: readOnly,
    status: "importing",
  });
  return runOperation(ctx, repo, async (dir) => {
    const options = [
      ...(branch ? ["--single-branch", "--branch", branch] : []),
      ...(depth ? ["--depth", `${depth}`] : []),
    ];
    try {
      await git(["clone", "--quiet", "--bare", ...options, url.href, dir]);
    } catch (error) {
      throw importFailure(error);
    }
    const head = await git(["symbolic-ref", "--short", "HEAD"], dir).catch(() => "");
    repo.default_branch = branch ?? (head.trim() || "main");
    return created(ctx, repo);
  });
}

/** The import source: an http(s) URL. Upstream requires public HTTPS; locally, any loopback HTTP remote works. */
function parseRemote(text: string): URL {
  try {
    const url = new URL(text);
    if (url.protocol === "https:" || url.protocol === "http:") return url;
  } catch {}
  throw invalid("url must be an http(s) Git remote URL");
}

function withoutCredentials(url: URL): string {
  const copy = new URL(url.href);
  copy.username = "";
  copy.password = "";
  return copy.href;
}

/** Maps what `git clone` said to the upstream codes for an import source. */
function importFailure(error: unknown): ApiFailure {
  const text = error instanceof GitCommandError ? error.stderr : String(error);
  if (/Authentication failed|could not read Username|terminal prompts disabled|401|403/i.test(text)) {
    return new ApiFailure(422, 10106, "the import source requires authentication");
  }
  if (/Could not resolve host|Failed to connect|Connection refused|timed out|Couldn't connect/i.test(text)) {
    return new ApiFailure(502, 10401, "the import source is unreachable");
  }
  return new ApiFailure(400, 10104, "the import source is not a valid git repository");
}

/**
 * Runs an import or fork: the repo answers 409 while `work` runs (held at least `operationDelayMs`),
 * then becomes ready; on failure it is removed whole, leaving nothing half-made.
 */
async function runOperation(
  ctx: ServerContext,
  repo: RepoRecord,
  work: (dir: string) => Promise<unknown>,
): Promise<Reply> {
  const dir = ctx.repoDir(repo);
  try {
    if (ctx.operationDelayMs > 0) await sleep(ctx.operationDelayMs);
    const result = await work(dir);
    if (ctx.state.findRepo(repo.namespace, repo.name) !== repo) throw notFound(`repo '${repo.name}' was deleted`);
    repo.status = "ready";
    return { status: 201, result };
  } catch (error) {
    ctx.state.removeRepo(repo);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

// ---------------------------------------------------------------- tokens

async function createToken(request: Request): Promise<Reply> {
  const { params, ctx } = request;
  const body = await objectBody(request);
  if (typeof body.repo !== "string" || body.repo === "") throw invalid("repo is required");
  const scope = optional(body, "scope", isString, "a string") ?? "write";
  if (scope !== "read" && scope !== "write") throw invalid("scope must be read or write");
  const ttl = optional(body, "ttl", (value): value is number => typeof value === "number", "a number") ?? TTL.default;
  if (!Number.isInteger(ttl) || ttl < TTL.min || ttl > TTL.max) {
    throw new ApiFailure(400, 10103, `ttl must be an integer from ${TTL.min} to ${TTL.max} seconds`);
  }
  const repo = readyRepo(ctx, params.ns!, body.repo);
  const { record, plaintext } = ctx.state.mintToken(repo, scope as Scope, ttl);
  return { status: 201, result: { id: record.id, plaintext, scope: record.scope, expires_at: expiresAt(record) } };
}

/** Newest first (the order is undocumented); `total_pages` is 0 when there is nothing to list. */
function listTokens({ params, query, ctx }: Request): Reply {
  const state = queryChoice(query, "state", ["active", "expired", "revoked", "all"] as const, "active");
  const perPage = queryInteger(query, "per_page", 30, 1, 100);
  const page = queryInteger(query, "page", 1, 1, Number.MAX_SAFE_INTEGER);
  const repo = readyRepo(ctx, params.ns!, params.name!);
  const tokens = [...ctx.state.tokens.values()]
    .filter((token) => token.repoId === repo.id && (state === "all" || ctx.state.tokenState(token) === state))
    .sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : a.id < b.id ? -1 : 1));
  const items = tokens.slice((page - 1) * perPage, page * perPage);
  return {
    status: 200,
    result: items.map((token) => tokenInfo(ctx.state, token)),
    result_info: {
      page,
      per_page: perPage,
      total_pages: Math.ceil(tokens.length / perPage),
      count: items.length,
      total_count: tokens.length,
    },
  };
}

/** Revoking an already revoked token answers 200 again: DELETE is idempotent (upstream is silent). */
function deleteToken({ params, ctx }: Request): Reply {
  const id = params.id!;
  if (!TOKEN_ID.test(id)) throw invalid("token id must be 16 characters of 0-9 and a-z");
  const token = ctx.state.tokens.get(id);
  const repo = token && ctx.state.findRepoById(token.repoId);
  if (!token || repo?.namespace !== params.ns) throw notFound(`token '${id}' not found`);
  token.revoked = true;
  return { status: 200, result: { id } };
}

// ---------------------------------------------------------------- routing

const NAMESPACE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{1,62}$/;

/** Namespaces follow the documented rule (2-63 characters); upstream's code for a bad one is undocumented: 10100. */
export function checkNamespace(namespace: string | undefined): void {
  if (namespace !== undefined && !NAMESPACE_NAME.test(namespace)) {
    throw invalid("namespace must be 2-63 characters: a letter or digit, then letters, digits, '.', '_' or '-'");
  }
}

type Handler = (request: Request) => Reply | Promise<Reply>;

/** Route patterns below `/accounts/{account_id}/artifacts/`; `:x` captures one decoded segment. */
const table: [method: string, pattern: string, handler: Handler][] = [
  ["POST", "namespaces/:ns/repos", createRepo],
  ["GET", "namespaces/:ns/repos", listRepos],
  ["GET", "namespaces/:ns/repos/:name", getRepo],
  ["DELETE", "namespaces/:ns/repos/:name", deleteRepo],
  ["POST", "namespaces/:ns/repos/:name/fork", forkRepo],
  ["POST", "namespaces/:ns/repos/:name/import", importRepo],
  ["GET", "namespaces/:ns/repos/:name/tokens", listTokens],
  ["POST", "namespaces/:ns/tokens", createToken],
  ["DELETE", "namespaces/:ns/tokens/:id", deleteToken],
];

export const routes = {
  /** The handler and captured segments; `"method"` when the path exists under another method. */
  match(method: string, segments: string[]) {
    let pathMatched = false;
    for (const [routeMethod, pattern, handler] of table) {
      const params = matchPattern(pattern.split("/"), segments);
      if (!params) continue;
      if (routeMethod === method) return { handler, params };
      pathMatched = true;
    }
    return pathMatched ? ("method" as const) : undefined;
  },
};

function matchPattern(pattern: string[], segments: string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of pattern.entries()) {
    const segment = segments[index]!;
    if (part.startsWith(":")) {
      if (segment === "") return undefined;
      params[part.slice(1)] = segment;
    } else if (part !== segment) return undefined;
  }
  return params;
}
