import nock from "nock";
import { afterEach, beforeAll } from "vitest";
import { type ClientOptions, createClient } from "../../src/index.js";
import { fixtures, paths } from "../../src/testing/index.js";

export const ORIGIN = "https://api.cloudflare.com";
export const ACCOUNT = "acc123";
export const API_TOKEN = "cf-api-token-SECRET-0123456789";
export const BASE = paths.namespace(ACCOUNT);
export const REPO_TOKEN = `art_v1_${"0123456789abcdef".repeat(2)}01234567?expires=1767225600`;

/**
 * A client aimed at nock with retries off, unless a test is about retries. Make it inside the test: the mutation
 * runner switches mutants on per test, after the files have loaded.
 */
export const testClient = (options: Partial<ClientOptions> = {}) =>
  createClient({ accountId: ACCOUNT, apiToken: API_TOKEN, retry: 0, ...options });

/** The shipped fixtures' envelope around a result, with extra fields (a `result_info`) when a test needs them. */
export const envelope = (result: unknown, extra: Record<string, unknown> = {}) => ({
  ...fixtures.envelope(result),
  ...extra,
});

/** The shipped fixtures' error envelope, without its status. */
export const failure = (code: number, message: string) => fixtures.error(code, message)[1];

/** nock for the API host, requiring the bearer token and the user-agent on every request. */
export const api = () =>
  nock(ORIGIN, {
    reqheaders: {
      authorization: `Bearer ${API_TOKEN}`,
      "user-agent": /^cloudflare-artifacts\/\d+\.\d+\.\d+/,
    },
  });

/** Every test ends with every mock used and no request left unmatched. */
export function useNock() {
  beforeAll(() => {
    nock.disableNetConnect();
    nock.enableNetConnect("127.0.0.1");
  });
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    if (pending.length > 0) throw new Error(`mocks not called: ${pending.join(", ")}`);
  });
}

/** The shipped fixtures' repo, in this account, with fields a test can tell apart from the defaults. */
export const sampleRepo = fixtures.repo({
  id: "repo_1",
  description: "Agent notes",
  created_at: "2026-04-01T12:00:00Z",
  updated_at: "2026-04-01T12:05:00Z",
  remote: `https://${ACCOUNT}.artifacts.cloudflare.net/git/default/notes.git`,
});

/** With net connect disabled and no interceptor, every request that leaves the SDK is a nock "no match". */
export function countUnmatched() {
  let count = 0;
  const listener = () => count++;
  nock.emitter.on("no match", listener);
  return () => {
    nock.emitter.removeListener("no match", listener);
    return count;
  };
}
