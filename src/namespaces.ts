import type { ResultAsync } from "neverthrow";
import { ok } from "neverthrow";
import * as v from "valibot";
import type { Client } from "./client.js";
import type { ArtifactsError } from "./errors.js";
import * as S from "./schemas.js";
import { type CallOptions, type Page, page, route, send, single } from "./transport.js";
import type { CreateNamespaceRequest, CursorResultInfo, ListNamespacesQuery, NamespaceInfo } from "./types.js";

/** What each route answers, declared once so its schema is compiled once (schemas.ts `validate`). */
/**
 * Undocumented upstream: named by `namespace` or by `name`, as Cloudflare's tooling accepts either. Defined here,
 * not in schemas.ts, so bundles without the namespace routes do not carry it.
 */
export const NamespaceSchema: S.Schema<NamespaceInfo> = v.looseObject({
  namespace: S.optionalString,
  name: S.optionalString,
  jurisdiction: v.optional(S.nullableString),
  repo_count: S.optionalNumber,
  created_at: S.optionalString,
  updated_at: S.optionalString,
});
const namespaceInfo = single(NamespaceSchema);
const namespacePage = page(NamespaceSchema, S.CursorResultInfo);

/*
 * Namespaces live on the account-level base (`.../accounts/{id}/artifacts/namespaces`), not under the client's
 * namespace. They are created implicitly by their first repo; creating one explicitly only pins a jurisdiction.
 */

/**
 * Creates a namespace, pinning its jurisdiction. `POST /namespaces`.
 *
 * @example
 * const ns = await createNamespace(client, { namespace: "agents-eu", jurisdiction: "eu" });
 */
export function createNamespace(
  client: Client,
  body: CreateNamespaceRequest,
  options?: CallOptions,
): ResultAsync<NamespaceInfo, ArtifactsError> {
  return send(
    client,
    { method: "post", scope: "account", path: ok("namespaces"), body, expect: namespaceInfo },
    options,
  );
}

/**
 * One page of namespaces. `GET /namespaces`, by cursor.
 *
 * @example
 * const listed = await listNamespaces(client, { limit: 200 });
 */
export function listNamespaces(
  client: Client,
  query: ListNamespacesQuery = {},
  options?: CallOptions,
): ResultAsync<Page<NamespaceInfo, CursorResultInfo>, ArtifactsError> {
  return send(
    client,
    {
      method: "get",
      scope: "account",
      path: ok("namespaces"),
      query,
      expect: namespacePage,
    },
    options,
  );
}

/**
 * One namespace. `GET /namespaces/{namespace}`.
 *
 * @example
 * const ns = await getNamespace(client, "default");
 */
export function getNamespace(
  client: Client,
  namespace: string,
  options?: CallOptions,
): ResultAsync<NamespaceInfo, ArtifactsError> {
  return send(
    client,
    { method: "get", scope: "account", path: route`namespaces/${{ namespace }}`, expect: namespaceInfo },
    options,
  );
}
