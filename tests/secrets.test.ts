import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { createClient, createRepo, createToken, getRepo, type HttpError } from "../src/index.js";
import { redactJson } from "../src/secrets.js";
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

/**
 * Secrets never leak: the API token and repo tokens are redacted from every error, header and inspected value.
 */

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

describe("secrets", () => {
  it("redacts JSON down to 64 levels, and replaces what is deeper", () => {
    const nest = (levels: number): unknown => (levels === 0 ? API_TOKEN : [nest(levels - 1)]);
    const redact = (text: string) => text.replace(API_TOKEN, "[REDACTED]");
    expect(JSON.stringify(redactJson(nest(64), redact))).toBe(`${"[".repeat(64)}"[REDACTED]"${"]".repeat(64)}`);
    expect(JSON.stringify(redactJson(nest(66), redact))).toBe(`${"[".repeat(64)}"[REDACTED]"${"]".repeat(64)}`);
    expect(JSON.stringify(redactJson(nest(65), (text) => text))).toBe(`${"[".repeat(64)}"[REDACTED]"${"]".repeat(64)}`);
  });
});

describe("secrets: the length below which an API token is a placeholder", () => {
  it.each([
    ["1234567", false],
    ["12345678", true],
  ])("an API token of %j is redacted: %s", async (apiToken, redacted) => {
    const short = createClient({ accountId: "acc123", apiToken, retry: 0 });
    expect(short.redact(`a ${apiToken} b`)).toBe(redacted ? "a [REDACTED] b" : `a ${apiToken} b`);
    expect(short.redact(`a ${REPO_TOKEN} b`)).toBe("a art_v1_[REDACTED] b");
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

describe("the redaction of server strings in an HttpError", () => {
  it("redacts the rate-limit headers like every server string", async () => {
    api()
      .get(`${BASE}/repos/notes`)
      .reply(429, envelope(null), {
        ratelimit: `"default";r=0;t=30;k=${API_TOKEN}`,
        "ratelimit-policy": REPO_TOKEN,
        "retry-after": "999",
      });
    const error = (await getRepo(client, "notes"))._unsafeUnwrapErr() as HttpError;
    expect(error.rateLimit).toEqual({ ratelimit: '"default";r=0;t=30;k=[REDACTED]', policy: "art_v1_[REDACTED]" });
  });

  it("redacts raw before cutting it, so a token straddling the cut does not leak in part", async () => {
    const html = `${"x".repeat(65_536 - 20)}${API_TOKEN}${"y".repeat(100)}`;
    api().get(`${BASE}/repos/notes`).reply(502, html);
    const error = (await getRepo(client, "notes"))._unsafeUnwrapErr() as HttpError;
    expect(error.raw).toHaveLength(65_536);
    expect(error.raw).not.toContain(API_TOKEN.slice(0, 10));
    expect(error.raw?.endsWith("[REDACTED]")).toBe(false);
    expect(error.raw).toContain("[REDACT");
  });
});
