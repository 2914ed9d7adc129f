import type { Scope } from "../types.js";
import {
  ApiFailure,
  invalid,
  isString,
  notFound,
  objectBody,
  optional,
  queryChoice,
  queryInteger,
  type Reply,
  type Request,
  readyRepo,
  TOKEN_ID,
  TTL,
  tokenInfo,
} from "./rest.js";
import { expiresAt } from "./state.js";

/** The local server's token routes: mint, list and revoke. */

export async function createToken(request: Request): Promise<Reply> {
  const { params, ctx } = request;
  const body = await objectBody(request);
  if (typeof body.repo !== "string" || body.repo === "") throw invalid("repo is required");
  const scope = optional(body, "scope", isString, "a string") ?? "write";
  if (scope !== "read" && scope !== "write") throw invalid("scope must be read or write");
  const ttl = optional(body, "ttl", (value): value is number => typeof value === "number", "a number") ?? TTL.default;
  if (!Number.isInteger(ttl) || ttl < TTL.min || ttl > TTL.max) {
    throw new ApiFailure(10103, `ttl must be an integer from ${TTL.min} to ${TTL.max} seconds`);
  }
  const repo = readyRepo(ctx, params.ns!, body.repo);
  const { record, plaintext } = ctx.state.mintToken(repo, scope as Scope, ttl);
  return { status: 201, result: { id: record.id, plaintext, scope: record.scope, expires_at: expiresAt(record) } };
}

/** Newest first (the order is undocumented); `total_pages` is 0 when there is nothing to list. */
export function listTokens({ params, query, ctx }: Request): Reply {
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
export function deleteToken({ params, ctx }: Request): Reply {
  const id = params.id!;
  if (!TOKEN_ID.test(id)) throw invalid("token id must be 16 characters of 0-9 and a-z");
  const token = ctx.state.tokens.get(id);
  const repo = token && ctx.state.findRepoById(token.repoId);
  if (!token || repo?.namespace !== params.ns) throw notFound(`token '${id}' not found`);
  token.revoked = true;
  return { status: 200, result: { id } };
}
