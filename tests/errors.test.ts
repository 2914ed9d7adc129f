import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import type { ResultAsync } from "neverthrow";
import nock from "nock";
import { describe, expect, it } from "vitest";
import {
  type ArtifactsError,
  createClient,
  createRepo,
  createToken,
  deleteRepo,
  deleteToken,
  ErrorCode,
  forkRepo,
  getRepo,
  HttpError,
  InvalidInputError,
  importRepo,
  listTokens,
  TransportError,
  VERSION,
} from "../src/index.js";
import {
  API_TOKEN,
  api,
  BASE,
  envelope,
  failure,
  REPO_TOKEN,
  sampleRepo,
  testClient,
  useNock,
} from "./support/nock.js";

useNock();
const client = testClient();

/** Everything a user might print or serialize about an error, in one string. */
const everyRendering = (error: unknown) =>
  [
    String(error),
    (error as Error).message,
    (error as Error).stack,
    JSON.stringify(error),
    inspect(error, { depth: 10, showHidden: true }),
  ].join("\n");

const SECRET = REPO_TOKEN.slice(0, REPO_TOKEN.indexOf("?"));

describe("HttpError", () => {
  it("maps 400 INVALID_TTL so callers match on the upstream code", async () => {
    const body = failure(10103, "ttl must be between 60 and 31536000 seconds");
    api().post(`${BASE}/tokens`, { repo: "notes", ttl: 99_999_999 }).reply(400, body);
    const error = (await createToken(client, { repo: "notes", ttl: 99_999_999 }))._unsafeUnwrapErr();
    expect(error).toBeInstanceOf(HttpError);
    if (error._tag !== "HttpError") throw error;
    expect(error.status).toBe(400);
    expect(error.body).toEqual(body);
    expect(error.body.errors[0]?.code === ErrorCode.INVALID_TTL).toBe(true);
    expect(error.code).toBe(10103);
    expect(error.message).toBe("HTTP 400: [10103] ttl must be between 60 and 31536000 seconds");
    expect(error.response.status).toBe(400);
    expect(error.raw).toBeUndefined();
    expect(error.issues).toBeUndefined();
    expect(error.reason).toBe("status");
  });

  it.each([
    [404, ErrorCode.NOT_FOUND, "repo not found"],
    [409, ErrorCode.ALREADY_EXISTS, "repo already exists"],
  ])("maps %i with code %i", async (status, code, message) => {
    api().get(`${BASE}/repos/notes`).reply(status, failure(code, message));
    const error = (await getRepo(client, "notes"))._unsafeUnwrapErr();
    expect(error).toMatchObject({ _tag: "HttpError", status, body: failure(code, message) });
  });

  it("completes an envelope that omits result and messages", async () => {
    api()
      .get(`${BASE}/repos/notes`)
      .reply(403, { success: false, errors: [{ code: 10000, message: "Authentication error" }] });
    const error = (await getRepo(client, "notes"))._unsafeUnwrapErr() as HttpError;
    expect(error.body).toEqual({
      result: null,
      success: false,
      errors: [{ code: 10000, message: "Authentication error" }],
      messages: [],
    });
  });

  it("treats a 2xx with success: false as an error", async () => {
    const body = { ...failure(10400, "internal"), result: null };
    api().get(`${BASE}/repos/notes`).reply(200, body);
    const error = (await getRepo(client, "notes"))._unsafeUnwrapErr();
    expect(error).toMatchObject({ _tag: "HttpError", status: 200, body, issues: undefined, reason: "envelope" });
  });

  it("rejects a 2xx of the wrong shape with the schema's issues", async () => {
    const { remote: _, ...withoutRemote } = sampleRepo;
    api()
      .get(`${BASE}/repos/notes`)
      .reply(200, envelope({ ...withoutRemote, read_only: "no" }));
    const error = (await getRepo(client, "notes"))._unsafeUnwrapErr() as HttpError;
    expect(error._tag).toBe("HttpError");
    expect(error.status).toBe(200);
    expect(error.body.result).toEqual({ ...withoutRemote, read_only: "no" });
    expect(error.issues?.map((issue) => issue.path)).toEqual(["result.read_only", "result.remote"]);
    expect(error.message).toMatch(/^HTTP 200: unexpected response body \(result\.read_only: Invalid type/);
    expect(error.reason).toBe("shape");
  });

  it("rejects a list whose result_info is not an object", async () => {
    api()
      .get(`${BASE}/repos/notes/tokens`)
      .reply(200, envelope([], { result_info: "page 1" }));
    const error = (await listTokens(client, "notes"))._unsafeUnwrapErr() as HttpError;
    expect(error.issues?.map((issue) => issue.path)).toEqual(["result_info"]);
  });

  it("synthesizes an envelope for an HTML 502 page and keeps the text", async () => {
    const html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    api().get(`${BASE}/repos/notes`).reply(502, html, { "content-type": "text/html" });
    const error = (await getRepo(client, "notes"))._unsafeUnwrapErr() as HttpError;
    expect(error).toMatchObject({
      _tag: "HttpError",
      status: 502,
      body: { result: null, success: false, errors: [], messages: [] },
      raw: html,
      issues: undefined,
      reason: "status",
    });
    expect(error.message).toBe("HTTP 502: no error details");
  });

  it("reports an empty 202 where a result is expected", async () => {
    api().delete(`${BASE}/repos/notes`).reply(202, "");
    const error = (await deleteRepo(client, "notes"))._unsafeUnwrapErr() as HttpError;
    expect(error).toMatchObject({ _tag: "HttpError", status: 202, raw: "", reason: "shape" });
    expect(error.body.errors).toEqual([]);
    expect(error.issues?.length).toBeGreaterThan(0);
  });

  it("reports truncated JSON with the text kept", async () => {
    const truncated = JSON.stringify(envelope(sampleRepo)).slice(0, 40);
    api().get(`${BASE}/repos/notes`).reply(200, truncated);
    const error = (await getRepo(client, "notes"))._unsafeUnwrapErr() as HttpError;
    expect(error).toMatchObject({ _tag: "HttpError", status: 200, raw: truncated, reason: "shape" });
  });
});

describe("TransportError", () => {
  it("reports a closed port as a network error", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const closed = createClient({
      accountId: "a",
      apiToken: API_TOKEN,
      baseUrl: `http://127.0.0.1:${port}/client/v4`,
      retry: 0,
    });
    const error = (await getRepo(closed, "notes"))._unsafeUnwrapErr();
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ _tag: "TransportError", reason: "network" });
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it("reports a timeout as reason timeout", async () => {
    api().get(`${BASE}/repos/notes`).delay(500).reply(200, envelope(sampleRepo));
    const error = (await getRepo(client, "notes", { timeout: 100 }))._unsafeUnwrapErr();
    expect(error).toMatchObject({ _tag: "TransportError", reason: "timeout" });
  });

  it("reports the caller's abort as reason abort, with the signal's reason as cause", async () => {
    api().get(`${BASE}/repos/notes`).delay(500).reply(200, envelope(sampleRepo));
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("user cancelled")), 50);
    const error = (await getRepo(client, "notes", { signal: controller.signal }))._unsafeUnwrapErr();
    expect(error).toMatchObject({ _tag: "TransportError", reason: "abort" });
    expect((error as TransportError).cause).toEqual(new Error("user cancelled"));
  });

  it("does not send a call whose signal is already aborted", async () => {
    const sent = countUnmatched();
    const error = (await getRepo(client, "notes", { signal: AbortSignal.abort() }))._unsafeUnwrapErr();
    expect(error).toMatchObject({ _tag: "TransportError", reason: "abort" });
    expect(sent()).toBe(0);
  });
});

/** With net connect disabled and no interceptor, every request that leaves the SDK is a nock "no match". */
function countUnmatched() {
  let count = 0;
  const listener = () => count++;
  nock.emitter.on("no match", listener);
  return () => {
    nock.emitter.removeListener("no match", listener);
    return count;
  };
}

describe("path segments", () => {
  it("percent-encodes a name so it stays one segment", async () => {
    api().get(`${BASE}/repos/weird%2Fname%20x`).reply(200, envelope(sampleRepo));
    expect((await getRepo(client, "weird/name x")).isOk()).toBe(true);
  });

  it("encodes %, ? and # too", async () => {
    api()
      .delete(`${BASE}/tokens/a%25b%3Fc%23d`)
      .reply(200, envelope({ id: "x" }));
    expect((await deleteToken(client, "a%b?c#d")).isOk()).toBe(true);
  });

  const refused: [string, unknown][] = [
    ["empty", ""],
    ["dot", "."],
    ["dot-dot", ".."],
    ["number", 42],
    ["null", null],
    ["undefined", undefined],
    ["object", { toString: () => "notes" }],
    ["lone surrogate", "\ud800"],
  ];
  it.each(refused)("refuses a %s name before sending anything", async (_, name) => {
    const sent = countUnmatched();
    const calls: ResultAsync<unknown, ArtifactsError>[] = [
      getRepo(client, name as string),
      deleteRepo(client, name as string),
      forkRepo(client, name as string, { name: "copy" }),
      importRepo(client, name as string, { url: "https://example.com/x.git" }),
      listTokens(client, name as string),
      deleteToken(client, name as string),
    ];
    for (const result of await Promise.all(calls)) {
      const error = result._unsafeUnwrapErr();
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error._tag).toBe("InvalidInputError");
    }
    expect(sent()).toBe(0);
  });

  it("names the refused argument", async () => {
    const error = (await listTokens(client, ".."))._unsafeUnwrapErr() as InvalidInputError;
    expect(error.field).toBe("repo");
    expect(error.message).toBe('repo must not be empty, "." or ".."');
  });
});

describe("secrets never leak", () => {
  it("redacts the API token and repo tokens a server echoes back in an error", async () => {
    api()
      .post(`${BASE}/tokens`)
      .reply(400, {
        ...failure(10100, `bad token ${API_TOKEN} near ${REPO_TOKEN}`),
        result: { echoed: API_TOKEN, [API_TOKEN]: SECRET },
      });
    const error = (await createToken(client, { repo: "notes" }))._unsafeUnwrapErr() as HttpError;
    const text = everyRendering(error);
    expect(text).not.toContain(API_TOKEN);
    expect(text).not.toContain(SECRET);
    expect(error.body.errors[0]?.message).toBe("bad token [REDACTED] near art_v1_[REDACTED]");
    expect(error.body.result).toEqual({ echoed: "[REDACTED]", "[REDACTED]": "art_v1_[REDACTED]" });
  });

  // Cloudflare's simulator mints art_v2_x_…; anything shaped art_v<digits>_… goes, so a later format cannot leak.
  it.each([
    ["a v2 token", `art_v2_x_${"ab".repeat(20)}?expires=1767225600`, "art_v2_[REDACTED]"],
    ["a v2 secret alone", `art_v2_f_${"ab".repeat(20)}`, "art_v2_[REDACTED]"],
    ["a format not yet issued", "art_v9_q_Zm9vYmFy-baz?expires=1", "art_v9_[REDACTED]"],
  ])("redacts %s echoed in an error, in every rendering and in client.redact", async (_, token, shown) => {
    api()
      .post(`${BASE}/tokens`)
      .reply(400, { ...failure(10100, `bad token ${token}`), result: { [token]: token } });
    const error = (await createToken(client, { repo: "notes" }))._unsafeUnwrapErr() as HttpError;
    const secret = token.split("?")[0] as string;
    expect(everyRendering(error)).not.toContain(secret);
    expect(error.message).toContain(shown);
    expect(error.body.errors[0]?.message).toBe(`bad token ${shown}`);
    expect(error.body.result).toEqual({ [shown]: shown });
    expect(client.redact(`token=${token}; next`)).toBe(`token=${shown}; next`);
  });

  it("redacts tokens in a non-envelope body and in schema issues", async () => {
    api().post(`${BASE}/repos`).reply(502, `<p>upstream said ${API_TOKEN} ${REPO_TOKEN}</p>`);
    const html = (await createRepo(client, { name: "notes" }))._unsafeUnwrapErr() as HttpError;
    expect(html.raw).toBe("<p>upstream said [REDACTED] art_v1_[REDACTED]</p>");

    api()
      .post(`${BASE}/repos`)
      .reply(201, envelope({ name: "notes", token: REPO_TOKEN, remote: 5, id: API_TOKEN }));
    const shape = (await createRepo(client, { name: "notes" }))._unsafeUnwrapErr() as HttpError;
    const text = everyRendering(shape);
    expect(shape.issues?.length).toBeGreaterThan(0);
    expect(text).not.toContain(API_TOKEN);
    expect(text).not.toContain(SECRET);
    // Still says what happened: the status, and the fields that were wrong.
    expect(shape.status).toBe(201);
    expect(shape.issues?.map((issue) => issue.path)).toEqual(
      expect.arrayContaining(["result.description", "result.default_branch", "result.remote"]),
    );
    expect(shape.message).toMatch(/^HTTP 201: unexpected response body \(result\./);
  });

  it("keeps the API token out of timeout and network errors", async () => {
    api().get(`${BASE}/repos/notes`).delay(300).reply(200, envelope(sampleRepo));
    const timeout = (await getRepo(client, "notes", { timeout: 50 }))._unsafeUnwrapErr();
    expect(everyRendering(timeout)).not.toContain(API_TOKEN);
    expect(timeout).toMatchObject({
      _tag: "TransportError",
      reason: "timeout",
      message: "No complete response within 50 ms",
    });

    // nock's own "no match" error lists the request headers, bearer token included.
    const network = (await getRepo(client, "unmocked"))._unsafeUnwrapErr();
    expect(network).toMatchObject({ _tag: "TransportError", reason: "network" });
    expect(everyRendering(network)).not.toContain(API_TOKEN);
    expect(network.message).toMatch(/^Network error: [\s\S]*\[REDACTED\]/);
  });

  it("hides repo tokens when an Ok value is inspected, while keeping them readable", async () => {
    const created = {
      id: "r",
      name: "notes",
      description: null,
      default_branch: "main",
      remote: "x",
      token: REPO_TOKEN,
    };
    api().post(`${BASE}/repos`).reply(201, envelope(created));
    const repo = (await createRepo(client, { name: "notes" }))._unsafeUnwrap();
    expect(repo.token).toBe(REPO_TOKEN);
    expect(JSON.parse(JSON.stringify(repo))).toEqual(created);
    expect(inspect(repo)).not.toContain(SECRET);
    expect(inspect(repo)).toContain("token: '[REDACTED]'");

    const minted = {
      id: "abcdefghij012345",
      plaintext: REPO_TOKEN,
      scope: "write",
      expires_at: "2026-01-01T00:00:00Z",
    };
    api().post(`${BASE}/tokens`).reply(201, envelope(minted));
    const token = (await createToken(client, { repo: "notes" }))._unsafeUnwrap();
    expect(inspect(token)).not.toContain(SECRET);
    expect(token.plaintext).toBe(REPO_TOKEN);
  });

  it("keeps the API token out of an inspected client", () => {
    expect(inspect(client, { depth: 10, showHidden: true })).not.toContain(API_TOKEN);
    expect(JSON.stringify(client)).not.toContain(API_TOKEN);
    expect(client.redact(`x ${API_TOKEN} y`)).toBe("x [REDACTED] y");
  });
});

describe("createClient", () => {
  it.each(["accountId", "apiToken"])("throws a TypeError naming a missing %s", (option) => {
    const options = { accountId: "acc", apiToken: "tok", [option]: undefined };
    expect(() => createClient(options as never)).toThrow(new RegExp(`^createClient: ${option} is required`));
    expect(() => createClient({ ...options, [option]: "" } as never)).toThrow(TypeError);
  });

  it("sends user-agent cloudflare-artifacts/<package version>", async () => {
    const { version } = await import("../package.json", { with: { type: "json" } }).then((m) => m.default);
    expect(VERSION).toBe(version);
    api()
      .get(`${BASE}/repos/notes`)
      .matchHeader("user-agent", `cloudflare-artifacts/${version}`)
      .reply(200, envelope(sampleRepo));
    expect((await getRepo(client, "notes")).isOk()).toBe(true);
  });

  it("exposes its ky instance, carrying the base URL and auth, for extension", async () => {
    api().get(`${BASE}/repos/notes`).matchHeader("x-extra", "1").reply(200, envelope(sampleRepo));
    const extended = client.ky.extend({ headers: { "x-extra": "1" } });
    expect(await extended.get("repos/notes").json()).toEqual(envelope(sampleRepo));
    expect(client.baseUrl).toBe(`https://api.cloudflare.com${BASE}`);
  });

  it("plugs a custom fetch, the way to test without a network", async () => {
    const seen: string[] = [];
    const custom = testClient({
      fetch: async (input: RequestInfo | URL) => {
        const request = input as Request;
        seen.push(`${request.method} ${request.url} ${request.headers.get("authorization")}`);
        return Response.json(envelope(sampleRepo));
      },
    });
    expect((await getRepo(custom, "notes"))._unsafeUnwrap()).toEqual(sampleRepo);
    expect(seen).toEqual([`GET https://api.cloudflare.com${BASE}/repos/notes Bearer ${API_TOKEN}`]);
  });
});

describe("chaining Results", () => {
  it("composes with andThen and match, never throwing", async () => {
    api()
      .post(`${BASE}/repos`, { name: "notes" })
      .reply(201, envelope({ ...sampleRepo, token: REPO_TOKEN }));
    api().post(`${BASE}/tokens`, { repo: "notes", ttl: 99_999_999 }).reply(400, failure(10103, "bad ttl"));
    const outcome = await createRepo(client, { name: "notes" })
      .andThen((repo) => createToken(client, { repo: repo.name, ttl: 99_999_999 }))
      .match(
        (token) => `minted ${token.id}`,
        (error) =>
          error._tag === "HttpError" && error.body.errors[0]?.code === ErrorCode.INVALID_TTL
            ? "ttl out of range"
            : `other: ${error.message}`,
      );
    expect(outcome).toBe("ttl out of range");
  });
});

describe("untyped callers", () => {
  it("resolves to an Err, never a rejection, for a missing client or null options", async () => {
    const noClient = await getRepo(undefined as never, "notes");
    expect(noClient._unsafeUnwrapErr()._tag).toBe("TransportError");
    api().get(`${BASE}/repos/notes`).reply(200, envelope(sampleRepo));
    expect((await getRepo(client, "notes", null as never)).isOk()).toBe(true);
  });
});
