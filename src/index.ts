/**
 * cloudflare-artifacts: a Result-typed client for the Cloudflare Artifacts REST API.
 * Every endpoint function takes the client first and resolves to a neverthrow `Result`; none throws.
 */
export { type Client, type ClientOptions, createClient, DEFAULT_BASE_URL, DEFAULT_NAMESPACE } from "./client.js";
export { getBlob, getCommit, getFile, getLog, getRaw, getTree } from "./contents.js";
export {
  type ArtifactsError,
  ErrorCode,
  HttpError,
  InvalidInputError,
  type RateLimitInfo,
  type SchemaIssue,
  TransportError,
  type TransportFailure,
} from "./errors.js";
export { type GitCredentials, gitCredentials } from "./git-credentials.js";
export { createNamespace, getNamespace, listNamespaces } from "./namespaces.js";
export {
  allNamespaces,
  allRepos,
  allTokens,
  collect,
  namespacePages,
  type PageError,
  type Pages,
  PaginationError,
  repoPages,
  tokenPages,
} from "./pagination.js";
export { createRepo, deleteRepo, forkRepo, getRepo, importRepo, listRepos } from "./repos.js";
export { defaultRetryPolicy, type RetryOption, type RetryPolicy } from "./retry.js";
export { createToken, deleteToken, listTokens } from "./tokens.js";
export type { CallOptions, Page } from "./transport.js";
export type * from "./types.js";
export { VERSION } from "./version.js";
export { type WaitOptions, waitForRepo } from "./wait.js";
