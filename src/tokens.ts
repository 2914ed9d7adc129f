import type { ResultAsync } from "neverthrow";
import { ok } from "neverthrow";
import type { Client } from "./client.js";
import type { ArtifactsError } from "./errors.js";
import * as S from "./schemas.js";
import { type CallOptions, type Page, page, route, send, single } from "./transport.js";
import type {
  CreateTokenRequest,
  CreateTokenResult,
  DeleteTokenResult,
  ListTokensQuery,
  OffsetResultInfo,
  TokenInfo,
} from "./types.js";

/** What each route answers, declared once so its schema is compiled once (schemas.ts `validate`). */
const created = single(S.CreateTokenResult, ["plaintext"]);
const tokenPage = page(S.TokenInfo, S.OffsetResultInfo);
const deleted = single(S.Deleted);

/**
 * Mints a repo token. `POST /tokens` (namespace level: the repo goes in the body). The `plaintext` is shown
 * only here; out-of-range `ttl` comes back as `ErrorCode.INVALID_TTL` (10103).
 *
 * @example
 * const minted = await createToken(client, { repo: "notes", scope: "read", ttl: 3600 });
 * if (minted.isOk()) gitAuth(minted.value.plaintext);
 */
export function createToken(
  client: Client,
  body: CreateTokenRequest,
  options?: CallOptions,
): ResultAsync<CreateTokenResult, ArtifactsError> {
  return send(client, { method: "post", path: ok("tokens"), body, expect: created }, options);
}

/**
 * One page of a repo's tokens. `GET /repos/{name}/tokens`. Never includes plaintext.
 *
 * @example
 * const listed = await listTokens(client, "notes", { state: "all", per_page: 100 });
 */
export function listTokens(
  client: Client,
  repo: string,
  query: ListTokensQuery = {},
  options?: CallOptions,
): ResultAsync<Page<TokenInfo, OffsetResultInfo>, ArtifactsError> {
  return send(
    client,
    {
      method: "get",
      path: route`repos/${{ repo }}/tokens`,
      query,
      expect: tokenPage,
    },
    options,
  );
}

/**
 * Revokes a token. `DELETE /tokens/{id}`. It stays listed with `state: "all"`, as `revoked`.
 *
 * @example
 * await deleteToken(client, minted.id);
 */
export function deleteToken(
  client: Client,
  id: string,
  options?: CallOptions,
): ResultAsync<DeleteTokenResult, ArtifactsError> {
  return send(client, { method: "delete", path: route`tokens/${{ id }}`, expect: deleted }, options);
}
