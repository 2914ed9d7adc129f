import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import fc from "fast-check";
import type { ResultAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import {
  type ArtifactsError,
  collect,
  createClient,
  createRepo,
  createToken,
  deleteRepo,
  deleteToken,
  forkRepo,
  getBlob,
  getFile,
  getRepo,
  gitCredentials,
  type HttpError,
  InvalidInputError,
  importRepo,
  listRepos,
  listTokens,
} from "../src/index.js";
import { fixtures } from "../src/testing/index.js";
import {
  API_TOKEN,
  api,
  BASE,
  countUnmatched,
  envelope,
  REPO_TOKEN,
  sampleRepo,
  testClient,
  useNock,
} from "./support/nock.js";

/**
 * The transport core: paths built from user input, bodies read within limits and time, what is refused before
 * sending (numbers JSON cannot carry, unusable timings, untyped input), and that no call throws or rejects.
 */

useNock();
const client = testClient();
const MiB = 1024 * 1024;
const bytesOf = (size: number, seed = 7) => Uint8Array.from({ length: size }, (_, index) => (index * seed + 3) % 251);

describe("the body deadline", () => {
  /** A server that sends its headers after `headMs` and the body `bodyMs` later. */
  async function slowServer(headMs: number, bodyMs: number) {
    const server = createServer((_, res) => {
      setTimeout(() => {
        res.writeHead(200, { "content-type": "application/json" });
        res.write("");
        setTimeout(() => res.end(JSON.stringify(envelope(sampleRepo))), bodyMs);
      }, headMs);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
      baseUrl: `http://127.0.0.1:${port}/client/v4`,
      close: () => {
        server.closeAllConnections();
        server.close();
      },
    };
  }

  it("counts from the request, so slow headers leave less time for the body", async () => {
    const slow = await slowServer(150, 150);
    try {
      const error = (
        await getRepo(testClient({ baseUrl: slow.baseUrl }), "notes", { timeout: 220 })
      )._unsafeUnwrapErr();
      expect(error).toMatchObject({ _tag: "TransportError", reason: "timeout" });
    } finally {
      slow.close();
    }
  });

  it("lets a body that arrives within the time left complete", async () => {
    const slow = await slowServer(20, 100);
    try {
      expect(
        (await getRepo(testClient({ baseUrl: slow.baseUrl }), "notes", { timeout: 2000 }))._unsafeUnwrap(),
      ).toEqual(sampleRepo);
    } finally {
      slow.close();
    }
  });
});

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

describe("as strict as its promises", () => {
  it.each([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN])(
    "refuses a ttl of %s before sending (JSON would carry it as null)",
    async (ttl) => {
      const result = await createToken(client, { repo: "notes", ttl });
      expect(result._unsafeUnwrapErr()).toMatchObject({ _tag: "InvalidInputError", field: "ttl" });
    },
  );

  it("refuses any non-finite number in a body or query, and sends every finite one", async () => {
    await fc.assert(
      fc.asyncProperty(fc.double(), async (limit) => {
        if (Number.isFinite(limit))
          api()
            .get(`${BASE}/repos`)
            .query({ limit: String(limit) })
            .reply(200, envelope([]));
        const result = await listRepos(client, { limit });
        expect(result.isOk()).toBe(Number.isFinite(limit));
        if (result.isErr()) expect(result.error).toMatchObject({ _tag: "InvalidInputError", field: "limit" });
      }),
      { numRuns: 60 },
    );
  });

  it.each([
    ["timeout", { timeout: -1 }],
    ["timeout", { timeout: Number.NaN }],
    ["timeout", { timeout: Number.POSITIVE_INFINITY }],
    ["limit", { retry: -1 }],
    ["maxRetryAfter", { retry: { maxRetryAfter: Number.POSITIVE_INFINITY } }],
    ["delay", { retry: { delay: Number.NaN } }],
    ["backoffLimit", { retry: { backoffLimit: -5 } }],
  ])("refuses a bad timing option (%s) before sending", async (field, options) => {
    expect((await getRepo(client, "notes", options))._unsafeUnwrapErr()).toMatchObject({
      _tag: "InvalidInputError",
      field,
    });
    const badClient = createClient({ accountId: "acc123", apiToken: API_TOKEN, ...options });
    expect((await getRepo(badClient, "notes"))._unsafeUnwrapErr()).toMatchObject({ _tag: "InvalidInputError", field });
  });

  it("waits at most the timer limit for a huge timeout, instead of timing out at once", async () => {
    api().get(`${BASE}/repos/notes`).delay(50).reply(200, envelope(sampleRepo));
    expect((await getRepo(client, "notes", { timeout: 2 ** 40 }))._unsafeUnwrap()).toEqual(sampleRepo);
  });

  it("answers an error body nested 20,000 deep as an HttpError", async () => {
    const deep = `{"result":null,"success":false,"errors":[],"messages":[],"detail":${"[".repeat(20_000)}${"]".repeat(20_000)}}`;
    api().get(`${BASE}/repos/notes`).reply(500, deep, { "content-type": "application/json" });
    const error = (await getRepo(client, "notes"))._unsafeUnwrapErr();
    expect(error).toMatchObject({ _tag: "HttpError", status: 500 });
    expect(JSON.stringify(error)).toContain("[REDACTED]");
  });

  it("names the size limit, not the bytes read, when a body is too big", async () => {
    api()
      .get(`${BASE}/repos/notes`)
      .reply(200, "x".repeat(9 * 1024 * 1024));
    const error = (await getRepo(client, "notes"))._unsafeUnwrapErr() as HttpError;
    expect(error.issues).toEqual([{ path: "", message: "the response body exceeds 8388608 bytes" }]);
  });

  it("never throws nor rejects on untyped input: getFile, isExpired, collect", async () => {
    api()
      .get(`${BASE}/repos/r/file`)
      .reply(400, {
        result: null,
        success: false,
        errors: [{ code: 10100, message: "ref is required" }],
        messages: [],
      });
    const file = await getFile(client, "r", undefined as never);
    expect(file._unsafeUnwrapErr()).toMatchObject({ _tag: "HttpError", code: 10100 });
    const creds = gitCredentials(REPO_TOKEN)._unsafeUnwrap();
    expect(creds.isExpired("tomorrow" as never)).toBe(true); // the token expired in 2026-01; "now" is later
    expect(creds.isExpired(new Date(0))).toBe(false);
    const collected = await collect(undefined as never);
    expect(collected._unsafeUnwrapErr()).toMatchObject({ _tag: "InvalidInputError", field: "pages" });
  });
});

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

describe("untyped callers", () => {
  it("resolves to an Err, never a rejection, for a missing client or null options", async () => {
    const noClient = await getRepo(undefined as never, "notes");
    expect(noClient._unsafeUnwrapErr()._tag).toBe("TransportError");
    api().get(`${BASE}/repos/notes`).reply(200, envelope(sampleRepo));
    expect((await getRepo(client, "notes", null as never)).isOk()).toBe(true);
  });
});

describe("input that cannot be read or sent", () => {
  /** An object whose every read throws, with a secret in what it throws. */
  const hostile = () =>
    new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error(`leak ${REPO_TOKEN}`);
        },
        get: () => {
          throw new Error(`leak ${REPO_TOKEN}`);
        },
      },
    );
  const throwingGetter = () => ({
    get limit(): number {
      throw new Error(`leak ${REPO_TOKEN}`);
    },
  });

  it("refuses a query whose reads throw: no throw out of the call, nothing sent", async () => {
    const client = testClient();
    const sent = countUnmatched();
    for (const query of [hostile(), throwingGetter()]) {
      const calls: (() => ResultAsync<unknown, ArtifactsError>)[] = [
        () => listRepos(client, query as never),
        () => listTokens(client, "notes", query as never),
        () => getFile(client, "notes", query as never),
      ];
      for (const call of calls) {
        let result: ResultAsync<unknown, ArtifactsError> | undefined;
        expect(() => {
          result = call();
        }).not.toThrow();
        const error = (await result!)._unsafeUnwrapErr();
        expect(error).toEqual(new InvalidInputError("query cannot be sent", "query"));
        expect(JSON.stringify(error)).not.toContain("art_v1_0123");
      }
    }
    expect(sent()).toBe(0);
  });

  it("refuses a body with a throwing getter, a BigInt or a cycle as InvalidInputError, not a network error", async () => {
    const client = testClient();
    const sent = countUnmatched();
    const cyclic: Record<string, unknown> = { name: "c" };
    cyclic.self = cyclic;
    const bodies = [
      hostile(),
      {
        get name(): string {
          throw new Error("no");
        },
      },
      { name: "n", ttl: 10n },
      { name: "n", nested: { deep: 1n } },
      cyclic,
    ];
    for (const body of bodies) {
      expect((await createRepo(client, body as never))._unsafeUnwrapErr()).toEqual(
        new InvalidInputError("body cannot be sent", "body"),
      );
      expect((await createToken(client, body as never))._unsafeUnwrapErr()._tag).toBe("InvalidInputError");
    }
    expect(sent()).toBe(0);
  });

  it("sends what the getters gave when they were read once", async () => {
    let reads = 0;
    const body = {
      get name() {
        reads++;
        return "counted";
      },
    };
    api()
      .post(`${BASE}/repos`, { name: "counted" })
      .reply(201, envelope(fixtures.createRepoResult({ name: "counted" })));
    expect((await createRepo(testClient(), body))._unsafeUnwrap().name).toBe("counted");
    expect(reads).toBe(1);
  });
});
