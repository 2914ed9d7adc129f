/**
 * cloudflare-artifacts: a Result-typed client for the Cloudflare Artifacts REST API.
 * Every endpoint function takes the client first and resolves to a neverthrow `Result`; none throws.
 */
export { type Client, type ClientOptions, createClient, DEFAULT_BASE_URL, DEFAULT_NAMESPACE } from "./client.js";
export {
  type ArtifactsError,
  ErrorCode,
  HttpError,
  InvalidInputError,
  type SchemaIssue,
  TransportError,
  type TransportFailure,
} from "./errors.js";
export { type GitCredentials, gitCredentials } from "./git-credentials.js";
export { createRepo, deleteRepo, forkRepo, getRepo, importRepo, listRepos } from "./repos.js";
export { defaultRetryPolicy, type RetryOption, type RetryPolicy } from "./retry.js";
export { createToken, deleteToken, listTokens } from "./tokens.js";
export type { CallOptions, Page } from "./transport.js";
export type * from "./types.js";
export { VERSION } from "./version.js";
