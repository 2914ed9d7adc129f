import { isRefName } from "../git/input.js";
import { statusOf } from "./fixtures.js";
import type { ArtifactsState, RepoRecord, TokenRecord } from "./state.js";
import { expiresAt } from "./state.js";

/**
 * What every REST handler of the local server shares: the request and reply shapes, the failure that becomes
 * an error envelope, validation as upstream documents it, the response shapes and cursor pagination.
 * Status codes per error code are undocumented upstream; the spec's plausible mapping (`statusOf`: 400 input,
 * 404 not found, 409 conflicts, 422 remote auth, 502 upstream) is the one table, and comments mark other choices.
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

/** A JSON envelope's result, or raw bytes (the byte routes). */
export type Reply =
  | { status: number; result: unknown; result_info?: unknown }
  | { status: number; bytes: Uint8Array; contentType: string };

export type Handler = (request: Request) => Reply | Promise<Reply>;

/** An API error answer; thrown from anywhere in a handler. Its status follows from its code (`statusOf`). */
export class ApiFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly status = statusOf(code),
  ) {
    super(message);
  }
}

export const invalid = (message: string) => new ApiFailure(10100, message);
export const notFound = (message: string) => new ApiFailure(10200, message);

export const REPO_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;
/** Upstream documents no maximum repo name length; 100 is this server's choice. */
export const REPO_NAME_MAX = 100;
export const TOKEN_ID = /^[0-9a-z]{16}$/;
export const TTL = { min: 60, max: 31_536_000, default: 86_400 };
/** The inline token of create/fork/import is "short-lived"; its lifetime is undocumented: one hour here. */
export const INLINE_TOKEN_TTL = 3600;

// ---------------------------------------------------------------- validation

export function repoName(name: unknown, field = "name"): string {
  if (typeof name !== "string" || name === "") throw new ApiFailure(10101, `${field} is required`);
  if (!REPO_NAME.test(name) || name.length > REPO_NAME_MAX) {
    throw new ApiFailure(
      10101,
      `${field} must start with a letter or digit, then letters, digits, '.', '_' or '-', at most ${REPO_NAME_MAX} characters`,
    );
  }
  return name;
}

/** A branch name as `git check-ref-format --branch` accepts it, within the documented character set. */
export function branchName(value: unknown, field: string): string {
  if (!isRefName(value)) throw invalid(`${field} is not a valid branch name`);
  return value;
}

export async function objectBody(request: Request): Promise<Record<string, unknown>> {
  const body = await request.body();
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw invalid("request body must be a JSON object");
  return body as Record<string, unknown>;
}

export function optional<T>(
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
export const isString = (value: unknown): value is string => typeof value === "string";
export const isBoolean = (value: unknown): value is boolean => typeof value === "boolean";
export const isInteger = (value: unknown): value is number => Number.isInteger(value);

export function queryInteger(
  query: URLSearchParams,
  field: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = query.get(field);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max)
    throw invalid(`${field} must be an integer from ${min} to ${max}`);
  return value;
}

export function queryChoice<T extends string>(
  query: URLSearchParams,
  field: string,
  choices: readonly T[],
  fallback: T,
): T {
  const raw = query.get(field);
  if (raw === null) return fallback;
  if (!(choices as readonly string[]).includes(raw)) throw invalid(`${field} must be one of ${choices.join(", ")}`);
  return raw as T;
}

// ---------------------------------------------------------------- shapes

export function repoWithRemote(ctx: ServerContext, repo: RepoRecord) {
  const { id, name, description, default_branch, created_at, updated_at, last_push_at, source, read_only, status } =
    repo;
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
    // The binding's and Wrangler's repo status; REST documents none.
    status,
  };
}

export function created(ctx: ServerContext, repo: RepoRecord) {
  const { plaintext } = ctx.state.mintToken(repo, "write", INLINE_TOKEN_TTL);
  const { id, name, description, default_branch } = repo;
  return { id, name, description, default_branch, remote: ctx.remote(repo), token: plaintext };
}

export function tokenInfo(state: ArtifactsState, token: TokenRecord) {
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
export function readyRepo(ctx: ServerContext, namespace: string, name: string): RepoRecord {
  const repo = ctx.state.findRepo(namespace, name);
  if (!repo) throw notFound(`repo '${name}' not found`);
  assertReady(repo);
  return repo;
}

export function assertReady(repo: RepoRecord): void {
  if (repo.status === "importing") throw new ApiFailure(10302, `repo '${repo.name}' is still importing`);
  if (repo.status === "forking") throw new ApiFailure(10303, `repo '${repo.name}' is still forking`);
}

/** The name must be free; one still importing or forking answers its in-progress code, as upstream may. */
export function assertFree(ctx: ServerContext, namespace: string, name: string): void {
  const existing = ctx.state.findRepo(namespace, name);
  if (!existing) return;
  assertReady(existing);
  throw new ApiFailure(10201, `repo '${name}' already exists`);
}

// ---------------------------------------------------------------- cursor pagination

/**
 * One page of `items` (already filtered) in the order `key` and `direction` give, names breaking ties. The cursor
 * names the last item of the page, so inserts and deletes between pages never skip or repeat an item.
 */
export function cursorPage<T>(
  items: T[],
  key: (item: T) => [string, string],
  direction: "asc" | "desc",
  limit: number,
  cursor: string | null,
): { page: T[]; result_info: { cursor: string; per_page: number; count: number } } {
  const after = decodeCursor(cursor);
  const sign = direction === "asc" ? 1 : -1;
  const compare = (a: [string, string], b: [string, string]) =>
    sign * (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
  const rest = items.filter((item) => after === undefined || compare(key(item), after) > 0);
  rest.sort((a, b) => compare(key(a), key(b)));
  const page = rest.slice(0, limit);
  const last = page.at(-1);
  const next = rest.length > limit && last ? Buffer.from(JSON.stringify(key(last))).toString("base64url") : "";
  return { page, result_info: { cursor: next, per_page: limit, count: page.length } };
}

function decodeCursor(cursor: string | null): [string, string] | undefined {
  if (cursor === null || cursor === "") return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(key) && key.length === 2 && key.every(isString)) return key as [string, string];
  } catch {}
  throw invalid("cursor is not valid");
}
