import { getBlob, getCommit, getFile, getLog, getRaw, getTree } from "./contents.js";
import { checkNamespace, createNamespace, getNamespace, listNamespaces } from "./namespaces.js";
import { createRepo, deleteRepo, forkRepo, getRepo, importRepo, listRepos } from "./repos.js";
import type { Handler } from "./rest.js";
import { createToken, deleteToken, listTokens } from "./tokens.js";

export { checkNamespace };

/**
 * Route patterns below `/accounts/{account_id}/artifacts/`: `:x` captures one decoded segment, `*x` the
 * remaining segments (at least one) joined by `/`.
 */
const table: [method: string, pattern: string, handler: Handler][] = [
  ["POST", "namespaces", createNamespace],
  ["GET", "namespaces", listNamespaces],
  ["GET", "namespaces/:ns", getNamespace],
  ["POST", "namespaces/:ns/repos", createRepo],
  ["GET", "namespaces/:ns/repos", listRepos],
  ["GET", "namespaces/:ns/repos/:name", getRepo],
  ["DELETE", "namespaces/:ns/repos/:name", deleteRepo],
  ["POST", "namespaces/:ns/repos/:name/fork", forkRepo],
  ["POST", "namespaces/:ns/repos/:name/import", importRepo],
  ["GET", "namespaces/:ns/repos/:name/tokens", listTokens],
  ["POST", "namespaces/:ns/tokens", createToken],
  ["DELETE", "namespaces/:ns/tokens/:id", deleteToken],
  ["GET", "namespaces/:ns/repos/:name/log", getLog],
  ["GET", "namespaces/:ns/repos/:name/commit/:hash", getCommit],
  ["GET", "namespaces/:ns/repos/:name/tree/:hash", getTree],
  ["GET", "namespaces/:ns/repos/:name/blob/:hash", getBlob],
  ["GET", "namespaces/:ns/repos/:name/file", getFile],
  ["GET", "namespaces/:ns/repos/:name/raw/:ref/*path", getRaw],
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
  const rest = pattern.at(-1)?.startsWith("*");
  if (rest ? segments.length < pattern.length : pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of pattern.entries()) {
    const segment = segments[index]!;
    if (part.startsWith("*")) {
      params[part.slice(1)] = segments.slice(index).join("/");
    } else if (part.startsWith(":")) {
      if (segment === "") return undefined;
      params[part.slice(1)] = segment;
    } else if (part !== segment) return undefined;
  }
  return params;
}
