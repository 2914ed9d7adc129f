import type {
  ApiEnvelope,
  CreateRepoResult,
  CreateTokenResult,
  CursorResultInfo,
  ForkRepoResult,
  NamespaceInfo,
  OffsetResultInfo,
  RepoWithRemote,
  TokenInfo,
} from "../types.js";

/**
 * Fixtures for testing code that uses this SDK with nock (or any HTTP mock): the API's answers, shaped as the docs
 * show them, and the paths they answer on. A nock test of your code is then three lines:
 *
 *   nock("https://api.cloudflare.com").get(paths.repo("acc", "default", "notes")).reply(200, fixtures.envelope(fixtures.repo()));
 */

/** A fixed repo token, in the documented format: never a real one. */
const SAMPLE_TOKEN = `art_v1_${"0123456789abcdef".repeat(2)}01234567?expires=1893456000`;
const TIME = "2026-04-01T12:00:00.000Z";
const remote = (name: string) => `https://account.artifacts.cloudflare.net/git/default/${name}.git`;

/**
 * The plausible HTTP status of each upstream error code (undocumented upstream; the local server uses the same).
 *
 * @example
 * statusOf(ErrorCode.NOT_FOUND); // 404
 */
export function statusOf(code: number): number {
  const statuses: Record<number, number> = {
    10106: 422,
    10200: 404,
    10201: 409,
    10302: 409,
    10303: 409,
    10400: 500,
    10401: 502,
    10402: 413,
  };
  return statuses[code] ?? 400;
}

/**
 * Answers of the API, as the docs show them; every field can be overridden.
 *
 * @example
 * nock(origin).get(paths.repo("acc", "default", "notes")).reply(200, fixtures.envelope(fixtures.repo({ name: "notes" })));
 * nock(origin).post(paths.tokens("acc")).reply(...fixtures.error(ErrorCode.INVALID_TTL, "ttl out of range"));
 */
export const fixtures = {
  /** A repo as `getRepo` and `listRepos` return it. */
  repo: (fields: Partial<RepoWithRemote> = {}): RepoWithRemote => {
    const name = fields.name ?? "notes";
    return {
      id: "0tvugavnogssnwzk",
      name,
      description: null,
      default_branch: "main",
      created_at: TIME,
      updated_at: TIME,
      last_push_at: null,
      source: null,
      read_only: false,
      remote: remote(name),
      ...fields,
    };
  },
  /** What `createRepo` and `importRepo` return (with a sample repo token). */
  createRepoResult: (fields: Partial<CreateRepoResult> = {}): CreateRepoResult => {
    const { id, name, description, default_branch, remote } = fixtures.repo({ name: fields.name ?? "notes" });
    return { id, name, description, default_branch, remote, token: SAMPLE_TOKEN, ...fields };
  },
  /** What `forkRepo` returns. */
  forkRepoResult: (fields: Partial<ForkRepoResult> = {}): ForkRepoResult => ({
    ...fixtures.createRepoResult({ name: "notes-fork", id: "5ankv1vhl4xnw7wq" }),
    objects: 12,
    ...fields,
  }),
  /** A token as `listTokens` shows it. */
  token: (fields: Partial<TokenInfo> = {}): TokenInfo => ({
    id: "7ngdf3ww3u84t33x",
    scope: "write",
    state: "active",
    created_at: TIME,
    expires_at: "2026-04-02T12:00:00.000Z",
    ...fields,
  }),
  /** What `createToken` returns (with a sample plaintext). */
  createTokenResult: (fields: Partial<CreateTokenResult> = {}): CreateTokenResult => ({
    id: "7ngdf3ww3u84t33x",
    plaintext: SAMPLE_TOKEN,
    scope: "write",
    expires_at: "2026-04-02T12:00:00.000Z",
    ...fields,
  }),
  /** A namespace. */
  namespace: (fields: Partial<NamespaceInfo> = {}): NamespaceInfo => ({
    namespace: "default",
    jurisdiction: null,
    repo_count: 0,
    created_at: TIME,
    updated_at: TIME,
    ...fields,
  }),
  /** The v4 envelope of a successful answer. */
  envelope: <T>(result: T): ApiEnvelope<T> => ({ result, success: true, errors: [], messages: [] }),
  /** A list page: items and `result_info` (by default the last page of a cursor list). */
  page: <T>(
    items: T[],
    info: CursorResultInfo | OffsetResultInfo = { cursor: "", per_page: 50, count: items.length },
  ) => ({
    ...fixtures.envelope(items),
    result_info: info,
  }),
  /**
   * An error answer as `[status, body]`, to spread into nock's `reply`; the status defaults to the plausible one for
   * the code.
   */
  error: (code: number, message: string, status = statusOf(code)): [number, ApiEnvelope<null>] => [
    status,
    { result: null, success: false, errors: [{ code, message }], messages: [] },
  ],
};

const segment = encodeURIComponent;

/**
 * The paths the API answers on, percent-encoded as the SDK sends them, for nock's `get(path)` and friends.
 *
 * @example
 * nock("https://api.cloudflare.com").delete(paths.repo("acc", "default", "notes")).reply(202, fixtures.envelope({ id: "r" }));
 */
export const paths = {
  /** `/client/v4/accounts/{account}/artifacts`. */
  account: (accountId: string) => `/client/v4/accounts/${segment(accountId)}/artifacts`,
  /** `.../artifacts/namespaces` (account level). */
  namespaces: (accountId: string) => `${paths.account(accountId)}/namespaces`,
  /** One namespace, and the base of its routes. */
  namespace: (accountId: string, namespace = "default") => `${paths.namespaces(accountId)}/${segment(namespace)}`,
  /** `POST` creates, `GET` lists. */
  repos: (accountId: string, namespace = "default") => `${paths.namespace(accountId, namespace)}/repos`,
  /** `GET` and `DELETE` one repo. */
  repo: (accountId: string, namespace: string, name: string) => `${paths.repos(accountId, namespace)}/${segment(name)}`,
  /** `POST` forks the repo. */
  fork: (accountId: string, namespace: string, name: string) => `${paths.repo(accountId, namespace, name)}/fork`,
  /** `POST` imports into the repo. */
  import: (accountId: string, namespace: string, name: string) => `${paths.repo(accountId, namespace, name)}/import`,
  /** `GET` lists the repo's tokens. */
  repoTokens: (accountId: string, namespace: string, repo: string) =>
    `${paths.repo(accountId, namespace, repo)}/tokens`,
  /** `POST` mints a token (namespace level). */
  tokens: (accountId: string, namespace = "default") => `${paths.namespace(accountId, namespace)}/tokens`,
  /** `DELETE` revokes a token. */
  token: (accountId: string, namespace: string, id: string) => `${paths.tokens(accountId, namespace)}/${segment(id)}`,
};
