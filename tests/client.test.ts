import nock from "nock";
import { describe, expect, it } from "vitest";
import { createClient, DEFAULT_BASE_URL, DEFAULT_NAMESPACE, getRepo, VERSION } from "../src/index.js";
import { ACCOUNT, API_TOKEN, api, BASE, envelope, ORIGIN, sampleRepo, testClient, useNock } from "./support/nock.js";

/**
 * `createClient`: its options, the base URLs, the headers every call carries, what it refuses at construction
 * (the one place the SDK throws), and its ky instance.
 */

useNock();
const client = testClient();

describe("createClient", () => {
  it("defaults to Cloudflare's API and the default namespace", async () => {
    expect([DEFAULT_BASE_URL, DEFAULT_NAMESPACE]).toEqual(["https://api.cloudflare.com/client/v4", "default"]);
    const client = testClient();
    expect(client.baseUrl).toBe(`${ORIGIN}/client/v4/accounts/${ACCOUNT}/artifacts/namespaces/default`);
    nock(ORIGIN, { reqheaders: { authorization: `Bearer ${API_TOKEN}` } })
      .get(`${BASE}/repos/notes`)
      .reply(200, envelope(sampleRepo));
    expect((await getRepo(client, "notes"))._unsafeUnwrap()).toEqual(sampleRepo);
  });

  it("uses its namespace and base URL (trailing slashes dropped), encoded", async () => {
    const client = testClient({ namespace: "a b", baseUrl: "http://127.0.0.1:9/api//" });
    expect(client.baseUrl).toBe(`http://127.0.0.1:9/api/accounts/${ACCOUNT}/artifacts/namespaces/a%20b`);
    expect(client.namespace).toBe("a b");
  });

  it("sends the bearer token and its user-agent, and a caller's user-agent instead when given", async () => {
    nock(ORIGIN, {
      reqheaders: { authorization: `Bearer ${API_TOKEN}`, "user-agent": /^cloudflare-artifacts\/\d+\.\d+\.\d+$/ },
    })
      .get(`${BASE}/repos/a`)
      .reply(200, envelope(sampleRepo));
    expect((await getRepo(testClient(), "a")).isOk()).toBe(true);
    nock(ORIGIN, { reqheaders: { "user-agent": "mine/1" } })
      .get(`${BASE}/repos/b`)
      .reply(200, envelope(sampleRepo));
    expect((await getRepo(testClient({ headers: { "user-agent": "mine/1" } }), "b")).isOk()).toBe(true);
  });

  it.each(["accountId", "apiToken", "namespace"])(
    "throws a TypeError naming %s when it is empty, '.' or '..'",
    (option) => {
      for (const value of ["", ".", "..", 42]) {
        expect(() => testClient({ [option]: value })).toThrow(
          new TypeError(`createClient: ${option} must be a non-empty string`),
        );
      }
      expect(() => createClient(undefined as never)).toThrow(
        new TypeError("createClient: accountId must be a non-empty string"),
      );
    },
  );

  it("refuses a base URL that only contains a URL, or is not http(s)", () => {
    for (const baseUrl of ["see https://x", "https:x", "file:///tmp"]) {
      expect(() => testClient({ baseUrl })).toThrow(
        new TypeError("createClient: baseUrl must be an http(s) URL without credentials"),
      );
    }
    expect(() => testClient({ baseUrl: "HTTP://x" })).toThrow(TypeError);
  });

  it("refuses credentials in the base URL, which would reach every error message and can never succeed", () => {
    for (const baseUrl of [
      "http://u:pw@127.0.0.1:9/client/v4",
      "https://user@api.example/v4",
      "http://:pw@h",
      "http://u@h",
    ]) {
      let thrown: unknown;
      try {
        testClient({ baseUrl });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toEqual(new TypeError("createClient: baseUrl must be an http(s) URL without credentials"));
      expect(String(thrown)).not.toContain("pw");
    }
    // An `@` in the path is not userinfo.
    expect(testClient({ baseUrl: "http://127.0.0.1:9/@scope/v4" }).baseUrl).toContain("/@scope/v4/accounts/");
  });

  it("refuses an API token that is not a header value with a fixed message, never repeating the token", () => {
    for (const bad of ["secret-token\nX-Evil: 1", "secret-token\r\n\r\nGET /", "secret\0token", "secret-token\u0100"]) {
      let thrown: unknown;
      try {
        testClient({ apiToken: bad });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toEqual(new TypeError("createClient: apiToken must be a valid HTTP header value"));
      expect(String(thrown)).not.toContain("secret");
      expect(JSON.stringify(thrown)).not.toContain("secret");
    }
    // A tab, Latin-1 and surrounding spaces are header values (fetch trims the spaces).
    expect(() => testClient({ apiToken: "tok\ten-\u00e9" })).not.toThrow();
  });

  it("sends a token read with its newline as fetch does, trimmed, and redacts what it sent", async () => {
    const client = testClient({ apiToken: `${API_TOKEN}\n` });
    nock(ORIGIN, { reqheaders: { authorization: `Bearer ${API_TOKEN}` } })
      .get(`${BASE}/repos/notes`)
      .reply(200, envelope(sampleRepo));
    expect((await getRepo(client, "notes")).isOk()).toBe(true);
    expect(client.redact(`echoed ${API_TOKEN}`)).toBe("echoed [REDACTED]");
  });
});

describe("createClient: what it throws on, and what it exposes", () => {
  it.each(["accountId", "apiToken"])("throws a TypeError naming a missing %s", (option) => {
    const options = { accountId: "acc", apiToken: "tok", [option]: undefined };
    expect(() => createClient(options as never)).toThrow(
      new RegExp(`^createClient: ${option} must be a non-empty string`),
    );
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

describe("createClient's baseUrl", () => {
  it("refuses a baseUrl that is not an http(s) URL at construction, as for a missing accountId", () => {
    for (const baseUrl of ["not a url", "ftp://x/client/v4", "", "localhost:8787"]) {
      expect(() => createClient({ accountId: "a", apiToken: API_TOKEN, baseUrl })).toThrow(
        new TypeError("createClient: baseUrl must be an http(s) URL without credentials"),
      );
    }
    expect(() => createClient({ accountId: "a", apiToken: API_TOKEN, baseUrl: `${ORIGIN}/client/v4` })).not.toThrow();
  });
});
