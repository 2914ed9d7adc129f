import {
  ApiFailure,
  cursorPage,
  invalid,
  isString,
  notFound,
  objectBody,
  optional,
  queryInteger,
  type Reply,
  type Request,
} from "./rest.js";
import type { NamespaceRecord } from "./state.js";

/**
 * The local server's namespace routes, on the account base. Upstream documents no response shape for them;
 * this server answers the fields its sources show: `{ namespace, jurisdiction, repo_count, created_at, updated_at }`.
 */

const NAMESPACE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{1,62}$/;

/** Namespaces follow the documented rule (2-63 characters); upstream's code for a bad one is undocumented: 10100. */
export function checkNamespace(namespace: string | undefined): void {
  if (namespace !== undefined && !NAMESPACE_NAME.test(namespace)) {
    throw invalid("namespace must be 2-63 characters: a letter or digit, then letters, digits, '.', '_' or '-'");
  }
}

function namespaceInfo(record: NamespaceRecord) {
  const { namespace, jurisdiction, created_at, updated_at } = record;
  return { namespace, jurisdiction, repo_count: record.repos.size, created_at, updated_at };
}

/** An explicit create of a name already in use (even implicitly, by a repo) is a conflict: 409 ALREADY_EXISTS. */
export async function createNamespace(request: Request): Promise<Reply> {
  const { ctx } = request;
  const body = await objectBody(request);
  if (typeof body.namespace !== "string") throw invalid("namespace is required");
  checkNamespace(body.namespace);
  const jurisdiction = optional(body, "jurisdiction", isString, "a string");
  if (jurisdiction !== undefined && jurisdiction !== "eu" && jurisdiction !== "us") {
    throw invalid("jurisdiction must be eu or us");
  }
  if (ctx.state.namespaces.has(body.namespace)) {
    throw new ApiFailure(10201, `namespace '${body.namespace}' already exists`);
  }
  const record = ctx.state.namespace(body.namespace);
  record.jurisdiction = jurisdiction ?? null;
  return { status: 201, result: namespaceInfo(record) };
}

/** By name, ascending (the order is undocumented). */
export function listNamespaces({ query, ctx }: Request): Reply {
  const limit = queryInteger(query, "limit", 100, 1, 200);
  const records = [...ctx.state.namespaces.values()];
  const { page, result_info } = cursorPage(
    records,
    (record) => [record.namespace, record.namespace],
    "asc",
    limit,
    query.get("cursor"),
  );
  return { status: 200, result: page.map(namespaceInfo), result_info };
}

export function getNamespace({ params, ctx }: Request): Reply {
  const record = ctx.state.namespaces.get(params.ns!);
  if (!record) throw notFound(`namespace '${params.ns}' not found`);
  return { status: 200, result: namespaceInfo(record) };
}
