import type { ResultAsync } from "neverthrow";
import { ok } from "neverthrow";
import type { Client } from "./client.js";
import type { ArtifactsError } from "./errors.js";
import * as S from "./schemas.js";
import { type CallOptions, type Page, page, route, send, single } from "./transport.js";
import type { CreateNamespaceRequest, CursorResultInfo, ListNamespacesQuery, NamespaceInfo } from "./types.js";

/** What each route answers, declared once so its schema is compiled once (schemas.ts `validate`). */
const namespaceInfo = single(S.NamespaceInfo);
const namespacePage = page(S.NamespaceInfo, S.CursorResultInfo);

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
      query: { ...query },
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
