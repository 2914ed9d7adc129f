import { inspect } from "node:util";
import fc from "fast-check";
import type { ResultAsync } from "neverthrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ArtifactsError,
  type Client,
  createClient,
  createNamespace,
  createRepo,
  createToken,
  deleteRepo,
  deleteToken,
  forkRepo,
  getBlob,
  getCommit,
  getFile,
  getLog,
  getNamespace,
  getRaw,
  getRepo,
  getTree,
  gitCredentials,
  importRepo,
  listNamespaces,
  listRepos,
  listTokens,
} from "../../src/index.js";
import { type ArtifactsServer, startArtifactsServer } from "../../src/testing/index.js";

const API_TOKEN = "fuzz-api-token-0123456789abcdefghij";
const ORIGIN = "https://api.example.test";
const BASE = "/client/v4/accounts/acc/artifacts/namespaces/default";
const TAGS = ["HttpError", "TransportError", "InvalidInputError"];

/** Any UTF-16 string, lone surrogates included. */
const anyString = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: fc.nat(0xffff).map((code) => String.fromCharCode(code)), maxLength: 20 }),
  fc.constantFrom("", ".", "..", "...", "a/b", "%2e%2e", "..%2F", "a?b#c", " ", "%", "repo.git"),
);

/** A client whose fetch records each request and answers with `reply`. */
function recordingClient(reply: () => Response | Promise<Response>) {
  const requests: Request[] = [];
  const client = createClient({
    accountId: "acc",
    apiToken: API_TOKEN,
    baseUrl: `${ORIGIN}/client/v4`,
    retry: 0,
    fetch: async (input: RequestInfo | URL) => {
      requests.push(input as Request);
      return reply();
    },
  });
  return { client, requests };
}

describe("arbitrary names and ids only ever reach their own route", () => {
  const routes: [string, (client: Client, name: string) => ResultAsync<unknown, ArtifactsError>, string, string][] = [
    ["getRepo", (c, n) => getRepo(c, n), "/repos/", ""],
    ["deleteRepo", (c, n) => deleteRepo(c, n), "/repos/", ""],
    ["forkRepo", (c, n) => forkRepo(c, n, { name: "copy" }), "/repos/", "/fork"],
    ["importRepo", (c, n) => importRepo(c, n, { url: "https://example.com/x.git" }), "/repos/", "/import"],
    ["listTokens", (c, n) => listTokens(c, n), "/repos/", "/tokens"],
    ["deleteToken", (c, n) => deleteToken(c, n), "/tokens/", ""],
    ["getLog", (c, n) => getLog(c, n), "/repos/", "/log"],
  ];

  it.each(routes)("%s", async (_, call, prefix, suffix) => {
    await fc.assert(
      fc.asyncProperty(anyString, async (name) => {
        const { client, requests } = recordingClient(() =>
          Response.json({ result: null, success: false, errors: [], messages: [] }, { status: 404 }),
        );
        const error = (await call(client, name))._unsafeUnwrapErr();
        if (error._tag === "InvalidInputError") {
          expect(requests).toHaveLength(0);
          return;
        }
        expect(requests).toHaveLength(1);
        const url = new URL(requests[0]!.url);
        expect(url.origin).toBe(ORIGIN);
        expect(url.search).toBe("");
        expect(url.pathname.startsWith(`${BASE}${prefix}`)).toBe(true);
        expect(url.pathname.endsWith(suffix)).toBe(true);
        const segment = url.pathname.slice(`${BASE}${prefix}`.length, url.pathname.length - suffix.length);
        expect(segment).not.toContain("/");
        expect(decodeURIComponent(segment)).toBe(name);
      }),
      { numRuns: 300 },
    );
  });

  it("getRaw keeps every path part its own segment, or refuses before sending", async () => {
    await fc.assert(
      fc.asyncProperty(anyString, fc.array(anyString, { minLength: 1, maxLength: 4 }), async (ref, parts) => {
        const path = parts.join("/");
        const { client, requests } = recordingClient(() => new Response("x"));
        const result = await getRaw(client, "repo", ref, path);
        if (result.isErr()) {
          expect(result.error._tag).toBe("InvalidInputError");
          expect(requests).toHaveLength(0);
          return;
        }
        const url = new URL(requests[0]!.url);
        const segments = url.pathname.slice(`${BASE}/repos/repo/raw/`.length).split("/");
        expect(segments.map(decodeURIComponent)).toEqual([ref, ...path.split("/")]);
      }),
      { numRuns: 300 },
    );
  });
});

describe("arbitrary response bodies never break the decoder", () => {
  const calls: [string, (client: Client) => ResultAsync<unknown, ArtifactsError>][] = [
    ["createRepo", (c) => createRepo(c, { name: "n" })],
    ["listRepos", (c) => listRepos(c)],
    ["getRepo", (c) => getRepo(c, "n")],
    ["deleteRepo", (c) => deleteRepo(c, "n")],
    ["forkRepo", (c) => forkRepo(c, "n", { name: "m" })],
    ["importRepo", (c) => importRepo(c, "n", { url: "https://e.test/x.git" })],
    ["createToken", (c) => createToken(c, { repo: "n" })],
    ["listTokens", (c) => listTokens(c, "n")],
    ["deleteToken", (c) => deleteToken(c, "0123456789abcdef")],
    ["createNamespace", (c) => createNamespace(c, { namespace: "ns" })],
    ["listNamespaces", (c) => listNamespaces(c)],
    ["getNamespace", (c) => getNamespace(c, "ns")],
    ["getLog", (c) => getLog(c, "n")],
    ["getCommit", (c) => getCommit(c, "n", "a".repeat(40))],
    ["getTree", (c) => getTree(c, "n", "a".repeat(40))],
    ["getBlob", (c) => getBlob(c, "n", "a".repeat(40))],
    ["getFile", (c) => getFile(c, "n", { ref: "main", path: "a" })],
    ["getRaw", (c) => getRaw(c, "n", "main", "a")],
  ];

  const status = fc.oneof(
    fc.constantFrom(200, 201, 202, 400, 404, 409, 429, 500, 502),
    fc.integer({ min: 200, max: 599 }),
  );
  const envelopeLike = fc.record(
    {
      result: fc.oneof(
        fc.anything(),
        fc.json().map((text) => JSON.parse(text)),
      ),
      success: fc.oneof(fc.boolean(), fc.anything()),
      errors: fc.oneof(fc.array(fc.record({ code: fc.integer(), message: fc.string() })), fc.anything()),
      messages: fc.anything(),
      result_info: fc.anything(),
    },
    { requiredKeys: [] },
  );
  const body = fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.json().map((text) => new TextEncoder().encode(text)),
    envelopeLike.map((value) => new TextEncoder().encode(JSON.stringify(value) ?? "")),
  );

  it.each(calls)("%s always resolves to a typed Ok or Err", async (_, call) => {
    await fc.assert(
      fc.asyncProperty(status, body, async (code, bytes) => {
        const nullBody = code === 204 || code === 205 || code === 304;
        const { client } = recordingClient(() => new Response(nullBody ? null : bytes, { status: code }));
        const result = await call(client);
        if (result.isErr()) {
          // A response came, whatever it held: an HttpError with its status, never "no response".
          expect(result.error).toMatchObject({ _tag: "HttpError", status: code });
          expect(inspect(result.error)).not.toContain(API_TOKEN);
        } else {
          expect(code).toBeGreaterThanOrEqual(200);
          expect(code).toBeLessThan(300);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe("git credentials from arbitrary input", () => {
  const hex40 = fc.stringMatching(/^[0-9a-f]{40}$/);
  const token = fc.tuple(hex40, fc.nat()).map(([hex, expires]) => `art_v1_${hex}?expires=${expires}`);

  const FIXED_TEXT = gitCredentials("")._unsafeUnwrapErr().message;

  it("never throws, and an error never repeats what it was given", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyString,
          token.map((t) => `${t}x`),
          token.map((t) => t.toUpperCase()),
        ),
        (input) => {
          const result = gitCredentials(input);
          if (result.isErr()) {
            const error = result.error;
            const shown = `${error.message}${JSON.stringify(error)}${inspect(error)}`;
            // Short inputs ("a", " ") occur in any sentence; what matters is that the input is not echoed.
            if (input.length >= 12 && !FIXED_TEXT.includes(input)) expect(shown).not.toContain(input);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("reads every well-formed token, and keeps its secret out of errors and inspection", () => {
    fc.assert(
      fc.property(token, anyString, (plaintext, remote) => {
        const creds = gitCredentials(plaintext)._unsafeUnwrap();
        const secret = plaintext.slice(0, plaintext.indexOf("?"));
        expect(creds.secret).toBe(secret);
        expect(inspect(creds)).not.toContain(secret);
        const url = creds.remoteUrl(remote);
        if (url.isErr()) expect(`${url.error.message}${inspect(url.error)}`).not.toContain(secret);
        else expect(new URL(url.value).password).toBe(secret);
      }),
      { numRuns: 500 },
    );
  });
});

describe("round trips through the local server keep names intact", () => {
  let server: ArtifactsServer;
  let client: Client;
  beforeAll(async () => {
    server = await startArtifactsServer();
    client = createClient({ ...server.clientOptions, retry: 0 });
  });
  afterAll(() => server.close());

  it("creates, gets and deletes repos of any valid name", async () => {
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,60}$/), async (name) => {
        const created = (await createRepo(client, { name }))._unsafeUnwrap();
        expect(created.name).toBe(name);
        expect((await getRepo(client, name))._unsafeUnwrap().name).toBe(name);
        expect((await deleteRepo(client, name)).isOk()).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it("answers any other name with a typed error and keeps serving", async () => {
    await fc.assert(
      fc.asyncProperty(anyString, async (name) => {
        const created = await createRepo(client, { name });
        if (created.isOk()) {
          expect(created.value.name).toBe(name);
          await deleteRepo(client, name);
        } else expect(TAGS).toContain(created.error._tag);
        const got = await getRepo(client, name);
        expect(got.isErr()).toBe(true);
      }),
      { numRuns: 100 },
    );
    expect((await listRepos(client)).isOk()).toBe(true);
  });
});
