import { Readable } from "node:stream";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  createClient,
  deleteRepo,
  deleteToken,
  forkRepo,
  getBlob,
  getRepo,
  type HttpError,
  listRepos,
} from "../src/index.js";
import { API_TOKEN, api, BASE, envelope, REPO_TOKEN, sampleRepo, testClient, useNock } from "./support/nock.js";

/**
 * Issue 16: behaviour users rely on that no test pinned (each a surviving mutant of the first mutation run).
 */

useNock();
const client = testClient();
const MiB = 1024 * 1024;
const bytesOf = (size: number, seed = 7) => Uint8Array.from({ length: size }, (_, index) => (index * seed + 3) % 251);

describe("transport: bodies, limits and time", () => {
  it("reads a blob far over 64 bytes, and one over the 8 MiB JSON limit, whole", async () => {
    for (const size of [100_000, 9 * MiB]) {
      const blob = bytesOf(size);
      api()
        .get(`${BASE}/repos/notes/blob/${"a".repeat(40)}`)
        .reply(200, Buffer.from(blob));
      const read = (await getBlob(client, "notes", "a".repeat(40)))._unsafeUnwrap();
      expect(read.byteLength).toBe(size);
      expect(Buffer.from(read).equals(Buffer.from(blob))).toBe(true);
    }
  });

  it("reads a body that arrives in many chunks, in order", async () => {
    const blob = bytesOf(50_000, 13);
    const chunks = Array.from({ length: 25 }, (_, index) =>
      Buffer.from(blob.subarray(index * 2000, (index + 1) * 2000)),
    );
    api()
      .get(`${BASE}/repos/notes/blob/${"b".repeat(40)}`)
      .reply(200, () => Readable.from(chunks));
    const read = (await getBlob(client, "notes", "b".repeat(40)))._unsafeUnwrap();
    expect(Buffer.from(read).equals(Buffer.from(blob))).toBe(true);
  });

  it("accepts a JSON body of exactly 8 MiB, and refuses one byte more", async () => {
    const json = JSON.stringify(envelope(sampleRepo));
    const exact = json + " ".repeat(8 * MiB - json.length);
    api().get(`${BASE}/repos/notes`).reply(200, exact);
    expect((await getRepo(client, "notes"))._unsafeUnwrap()).toEqual(sampleRepo);
    api().get(`${BASE}/repos/notes`).reply(200, `${exact} `);
    const error = (await getRepo(client, "notes"))._unsafeUnwrapErr() as HttpError;
    expect(error.issues).toEqual([{ path: "", message: `the response body exceeds ${8 * MiB} bytes` }]);
  });

  it("refuses an error body over 8 MiB even on a byte route", async () => {
    // Nine chunks of 1 MiB: eight are read, the ninth goes past the limit and the rest is not read.
    const chunks = Array.from({ length: 9 }, () => Buffer.alloc(MiB, "x"));
    api()
      .get(`${BASE}/repos/notes/blob/${"c".repeat(40)}`)
      .reply(404, () => Readable.from(chunks));
    const error = (await getBlob(client, "notes", "c".repeat(40)))._unsafeUnwrapErr() as HttpError;
    expect(error).toMatchObject({ _tag: "HttpError", status: 404, issues: undefined });
    expect(error.raw).toHaveLength(64 * 1024);
  });

  it("waits as long as it takes with timeout: false", async () => {
    api().get(`${BASE}/repos/notes`).delay(300).reply(200, envelope(sampleRepo));
    const patient = testClient({ timeout: 100 });
    expect((await getRepo(patient, "notes", { timeout: false }))._unsafeUnwrap()).toEqual(sampleRepo);
  });

  it("times out a body that trickles past the deadline, counting the time the headers took", async () => {
    api()
      .get(`${BASE}/repos/notes`)
      .reply(200, () => {
        const stream = new Readable({ read() {} });
        stream.push('{"result":');
        setTimeout(() => stream.push(" "), 150);
        setTimeout(() => stream.push(" "), 300);
        return stream;
      });
    const started = Date.now();
    const error = (await getRepo(client, "notes", { timeout: 200 }))._unsafeUnwrapErr();
    expect(error).toMatchObject({
      _tag: "TransportError",
      reason: "timeout",
      message: "No complete response within 200 ms",
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("answers a 204 without a body as an HttpError holding a synthesized envelope", async () => {
    api().delete(`${BASE}/repos/notes`).reply(204);
    const error = (await deleteRepo(client, "notes"))._unsafeUnwrapErr() as HttpError;
    expect(error).toMatchObject({
      _tag: "HttpError",
      status: 204,
      body: { result: null, success: false, errors: [], messages: [] },
      raw: "",
    });
    expect(error.code).toBeUndefined();
  });
});

describe("errors: what they show and serialize", () => {
  it("serializes and inspects as its fields, with the message, and never the response", async () => {
    api()
      .get(`${BASE}/repos/notes`)
      .reply(404, { result: null, success: false, errors: [{ code: 10200, message: "not found" }], messages: [] });
    const error = (await getRepo(client, "notes"))._unsafeUnwrapErr() as HttpError;
    const json = JSON.parse(JSON.stringify(error));
    expect(json).toEqual({
      status: 404,
      body: { result: null, success: false, errors: [{ code: 10200, message: "not found" }], messages: [] },
      _tag: "HttpError",
      name: "HttpError",
      reason: "status",
      message: "HTTP 404: [10200] not found",
    });
    expect(error.response.status).toBe(404);
    const shown = inspect(error);
    expect(shown).toContain("_tag: 'HttpError'");
    expect(shown).toContain("message: 'HTTP 404: [10200] not found'");
    expect(shown).not.toContain("response");
  });

  it("has no code, retryAfter or rateLimit when the server sent none (an HTML 502)", async () => {
    api().get(`${BASE}/repos/notes`).reply(502, "<html>bad gateway</html>");
    const error = (await getRepo(client, "notes"))._unsafeUnwrapErr() as HttpError;
    expect(error.code).toBeUndefined();
    expect(error.retryAfter).toBeUndefined();
    expect(error.rateLimit).toBeUndefined();
    expect(error.message).toBe("HTTP 502: no error details");
  });

  it.each([
    [{ ratelimit: '"default";r=0;t=9' }, { ratelimit: '"default";r=0;t=9', policy: undefined }],
    [{ "ratelimit-policy": '"default";q=100;w=60' }, { ratelimit: undefined, policy: '"default";q=100;w=60' }],
  ])("keeps a rate limit with only one of its two headers (%j)", async (headers, rateLimit) => {
    api()
      .get(`${BASE}/repos/notes`)
      .reply(429, envelope(null), { ...headers, "retry-after": "3600" });
    const error = (await getRepo(client, "notes"))._unsafeUnwrapErr() as HttpError;
    expect(error.rateLimit).toEqual(rateLimit);
    expect(error.retryAfter).toBe(3600);
  });

  it("says what happened while hiding the token", async () => {
    api()
      .get(`${BASE}/repos/notes`)
      .reply(403, {
        result: null,
        success: false,
        errors: [{ code: 9109, message: `bad token ${API_TOKEN}` }],
        messages: [],
      });
    const error = (await getRepo(client, "notes"))._unsafeUnwrapErr() as HttpError;
    expect(error.message).toBe("HTTP 403: [9109] bad token [REDACTED]");
    expect(error).toMatchObject({ status: 403, code: 9109 });
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

describe("schemas: each refuses what it must", () => {
  it("refuses error entries that are not { code: number, message: string }", async () => {
    api()
      .get(`${BASE}/repos/notes`)
      .reply(500, { result: null, success: false, errors: [{ code: "E1", message: 1 }], messages: [] });
    const error = (await getRepo(client, "notes"))._unsafeUnwrapErr() as HttpError;
    expect(error.body).toEqual({ result: null, success: false, errors: [], messages: [] });
    expect(error.raw).toContain('"code":"E1"');
  });

  it("refuses a fork result without objects, and a delete result without id", async () => {
    const fork = {
      id: "r2",
      name: "f",
      description: null,
      default_branch: "main",
      remote: "https://x/f.git",
      token: REPO_TOKEN,
    };
    api().post(`${BASE}/repos/notes/fork`).reply(201, envelope(fork));
    const forked = (await forkRepo(client, "notes", { name: "f" }))._unsafeUnwrapErr() as HttpError;
    expect(forked.issues?.map((issue) => issue.path)).toEqual(["result.objects"]);
    api()
      .delete(`${BASE}/tokens/abcdefghij012345`)
      .reply(200, envelope({ deleted: true }));
    const deleted = (await deleteToken(client, "abcdefghij012345"))._unsafeUnwrapErr() as HttpError;
    expect(deleted.issues?.map((issue) => issue.path)).toEqual(["result.id"]);
  });

  it.each(["__proto__", "prototype", "constructor"])(
    "drops an own %s key, as valibot does, and keeps the rest",
    async (key) => {
      const body = `{"result":[{${JSON.stringify(key)}:{"polluted":true},${JSON.stringify(sampleRepo).slice(1)}],"success":true,"errors":[],"messages":[],"result_info":{"cursor":""}}`;
      api().get(`${BASE}/repos`).reply(200, body, { "content-type": "application/json" });
      const [repos] = (await listRepos(client))._unsafeUnwrap();
      expect(repos).toEqual([sampleRepo]);
      expect(Object.hasOwn(repos[0] as object, key)).toBe(false);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );
});
