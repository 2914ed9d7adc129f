import fc from "fast-check";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import {
  allRepos,
  allTokens,
  createRepo,
  deleteToken,
  forkRepo,
  getNamespace,
  getRepo,
  type HttpError,
  importRepo,
  listNamespaces,
  listRepos,
  listTokens,
} from "../src/index.js";
import { NamespaceSchema } from "../src/namespaces.js";
import * as S from "../src/schemas.js";
import { api, BASE, envelope, REPO_TOKEN, sampleRepo, testClient, useNock } from "./support/nock.js";

/**
 * `validate` answers from a compiled predicate when it can and from valibot otherwise. Its verdict and its output
 * must always be valibot's own: these properties throw values near each schema's edge at both.
 */

const repo: Record<string, unknown> = { ...sampleRepo };
/** What `page(S.RepoWithRemote, S.CursorResultInfo)` checks a list envelope against. */
const repoPage = v.looseObject({
  result: v.array(S.RepoWithRemote),
  result_info: v.optional(v.nullable(S.CursorResultInfo, {}), {}),
});
const token = { id: "t1", scope: "read", state: "active", created_at: "x", expires_at: "y" };
const samples: [string, S.Schema<unknown>, Record<string, unknown>][] = [
  ["RepoWithRemote", S.RepoWithRemote, repo],
  ["TokenInfo", S.TokenInfo, token],
  ["CreateTokenResult", S.CreateTokenResult, { id: "t1", plaintext: "p", scope: "write", expires_at: "y" }],
  ["NamespaceInfo", NamespaceSchema, { namespace: "default", jurisdiction: null, repo_count: 2 }],
  ["OffsetResultInfo", S.OffsetResultInfo, { page: 1, per_page: 30, total_pages: 1, count: 1, total_count: 1 }],
  ["ApiEnvelope", S.ApiEnvelope, { result: null, success: false, errors: [{ code: 10103, message: "m" }] }],
  [
    "a page",
    repoPage,
    {
      result: [repo, repo],
      result_info: { cursor: "c", per_page: 2, count: 2 },
    },
  ],
];

const edgeValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(null, "", 0, -0, Number.NaN, true, "read", "revoked", [], {}, [repo], undefined),
);

/** The sample with up to three fields replaced, removed or added, sometimes inside an array. */
const near = (sample: Record<string, unknown>) =>
  fc
    .array(
      fc.tuple(
        fc.constantFrom(...Object.keys(sample), "extra", "errors", "result"),
        fc.option(edgeValue, { nil: undefined }),
        fc.boolean(),
      ),
      { maxLength: 3 },
    )
    .map((edits) => {
      const value: Record<string, unknown> = structuredClone(sample);
      for (const [key, replacement, remove] of edits) {
        if (remove) delete value[key];
        else value[key] = replacement;
      }
      return value;
    });

useNock();
const client = testClient();
const created = {
  id: "r1",
  name: "notes",
  description: null,
  default_branch: "main",
  remote: "https://x/notes.git",
  token: REPO_TOKEN,
};
const ACCOUNT_BASE = BASE.replace(/\/namespaces\/default$/, "");

/** One answer of a schema's validator (each compiled once where the SDK uses it; here per call). */
const validate = <Output>(schema: S.Schema<Output>, value: unknown) => S.validator(schema)(value);

describe("validate", () => {
  for (const [name, schema, sample] of samples) {
    it(`agrees with valibot on values near a valid ${name}`, () => {
      fc.assert(
        fc.property(fc.oneof(near(sample), edgeValue), (value) => {
          const expected = v.safeParse(schema, value);
          const actual = validate(schema, value);
          expect(actual.isOk()).toBe(expected.success);
          if (expected.success) expect(actual._unsafeUnwrap()).toStrictEqual(expected.output);
          else expect(actual._unsafeUnwrapErr()).toEqual(expected.issues);
        }),
        { numRuns: 400 },
      );
    });
  }

  it("returns a valid value itself, not a copy (the fast path)", () => {
    const page = { result: [repo], result_info: { cursor: "", per_page: 1, count: 1 }, extra: 1 };
    expect(validate(repoPage, page)._unsafeUnwrap()).toBe(page);
  });

  it("leaves keys valibot drops to valibot: __proto__, prototype and constructor never come through", () => {
    const value = JSON.parse(`{"id":"d1","__proto__":{"polluted":true},"prototype":1,"constructor":2}`) as Record<
      string,
      unknown
    >;
    const output = validate(S.Deleted, value)._unsafeUnwrap();
    expect(Object.keys(output)).toEqual(["id"]);
    expect(Object.assign({}, output)).not.toHaveProperty("polluted");
  });

  it("leaves defaults to valibot: an envelope without errors or messages comes out complete", () => {
    const output = validate(S.ApiEnvelope, { success: false })._unsafeUnwrap();
    expect(output).toStrictEqual({ result: null, success: false, errors: [], messages: [] });
  });

  it("names every issue of an invalid value", () => {
    const issues = validate(S.RepoWithRemote, { ...repo, read_only: "no", remote: undefined })._unsafeUnwrapErr();
    expect(issues.map((issue) => issue.path?.map((item) => item.key).join("."))).toEqual(["read_only", "remote"]);
  });
});

describe("validate, on schemas made inside the test", () => {
  // Each schema is compiled to a predicate once and cached: schemas made here are compiled here, so every kind's
  // predicate is built while the test runs (the mutation runner switches mutants on per test).
  it("agrees with valibot for every kind of schema, on values that fit and values that do not", () => {
    const schemas = [
      v.string(),
      v.boolean(),
      v.number(),
      v.unknown(),
      v.picklist(["read", "write"]),
      v.custom((value) => value === "read" || value === "write"),
      v.nullable(v.string()),
      v.optional(v.string()),
      v.optional(v.string(), "x"),
      v.nullable(v.string(), "y"),
      v.array(v.number()),
      v.looseObject({ a: v.string(), b: v.optional(v.number()) }),
      v.union([v.string(), v.number()]),
    ] as S.Schema<unknown>[];
    const values = [
      "s",
      "",
      "read",
      "admin",
      true,
      0,
      Number.NaN,
      null,
      undefined,
      [],
      [1, 2],
      [1, "2"],
      {},
      { a: "x" },
      { a: "x", b: 2 },
      { a: "x", b: "2" },
      { b: 2 },
      ["a"],
      JSON.parse('{"__proto__":{"a":1},"a":"x"}'),
      { prototype: 1, a: "x" },
      { constructor: 1, a: "x" },
    ];
    for (const schema of schemas) {
      for (const value of values) {
        const expected = v.safeParse(schema, value);
        const actual = validate(schema, value);
        const label = `${schema.type} ${JSON.stringify(value)}`;
        expect(actual.isOk(), label).toBe(expected.success);
        if (actual.isOk() && expected.success) expect(actual.value, label).toStrictEqual(expected.output);
      }
    }
  });
});

describe("validate's fast path", () => {
  it("returns a valid answer as parsed, not valibot's copy, for every kind of field", () => {
    const schema = v.looseObject({
      s: v.string(),
      b: v.boolean(),
      n: v.number(),
      u: v.unknown(),
      p: v.custom((value) => value === "read" || value === "write"),
      nl: v.nullable(v.string()),
      op: v.optional(v.string()),
      arr: v.array(v.number()),
      obj: v.looseObject({ inner: v.string() }),
    });
    const value = {
      s: "s",
      b: true,
      n: 1,
      u: { any: 1 },
      p: "read",
      nl: null,
      arr: [1, 2],
      obj: { inner: "i" },
      extra: 1,
    };
    const result = validate(schema, value);
    expect(result._unsafeUnwrap()).toBe(value);
    expect(validate(schema, { ...value, nl: "x", op: "y" }).isOk()).toBe(true);
    // What only valibot can do (fill a default) still goes to valibot, which copies.
    const defaulted = v.looseObject({ d: v.optional(v.string(), "filled") });
    const input = {};
    expect(validate(defaulted, input)._unsafeUnwrap()).toEqual({ d: "filled" });
    expect(validate(defaulted, input)._unsafeUnwrap()).not.toBe(input);
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

describe("as lenient as the documented types", () => {
  it.each([
    [
      "a null cursor",
      { result_info: { cursor: null, per_page: 50, count: 1 } },
      { cursor: null, per_page: 50, count: 1 },
    ],
    ["no cursor", { result_info: { per_page: 50, count: 1 } }, { per_page: 50, count: 1 }],
    [
      "an empty cursor",
      { result_info: { cursor: "", per_page: 50, count: 1 } },
      { cursor: "", per_page: 50, count: 1 },
    ],
    ["no result_info", {}, {}],
    ["a null result_info", { result_info: null }, {}],
  ])("lists repos from a page with %s, and the walk ends there", async (_, extra, info) => {
    api()
      .get(`${BASE}/repos`)
      .reply(200, envelope([sampleRepo], extra));
    expect((await listRepos(client))._unsafeUnwrap()).toEqual([[sampleRepo], info]);
    api()
      .get(`${BASE}/repos`)
      .reply(200, envelope([sampleRepo], extra));
    expect((await allRepos(client))._unsafeUnwrap()).toEqual([sampleRepo]);
  });

  it("lists tokens from a page without result_info, and the walk ends there", async () => {
    const token = { id: "t1", scope: "read", state: "active", created_at: "a", expires_at: "b" };
    api()
      .get(`${BASE}/repos/notes/tokens`)
      .reply(200, envelope([token]));
    expect((await listTokens(client, "notes"))._unsafeUnwrap()).toEqual([[token], {}]);
    api()
      .get(`${BASE}/repos/notes/tokens`)
      .query({ page: 1 })
      .reply(200, envelope([token]));
    expect((await allTokens(client, "notes"))._unsafeUnwrap()).toEqual([token]);
  });

  it("refuses a token whose scope or state is none of the documented ones, naming the field and the values", async () => {
    const token = { id: "t1", scope: "read", state: "active", created_at: "a", expires_at: "b" };
    for (const [field, value, expected] of [
      ["scope", "admin", "Expected read | write"],
      ["state", "paused", "Expected active | expired | revoked"],
    ]) {
      api()
        .get(`${BASE}/repos/notes/tokens`)
        .reply(200, envelope([{ ...token, [field as string]: value }]));
      const error = (await listTokens(client, "notes"))._unsafeUnwrapErr() as HttpError;
      expect([error.reason, error.issues]).toEqual(["shape", [{ path: `result.0.${field}`, message: expected }]]);
    }
  });

  it("reads a namespace named by `name` or by `namespace`", async () => {
    api()
      .get(`${ACCOUNT_BASE}/namespaces/a`)
      .reply(200, envelope({ name: "a", repo_count: 1 }));
    expect((await getNamespace(client, "a"))._unsafeUnwrap()).toEqual({ name: "a", repo_count: 1 });
    api()
      .get(`${ACCOUNT_BASE}/namespaces`)
      .reply(200, envelope([{ namespace: "b" }, { name: "c" }]));
    expect((await listNamespaces(client))._unsafeUnwrap()).toEqual([[{ namespace: "b" }, { name: "c" }], {}]);
    api()
      .get(`${ACCOUNT_BASE}/namespaces/d`)
      .reply(200, envelope({ name: 42 }));
    expect((await getNamespace(client, "d"))._unsafeUnwrapErr()).toMatchObject({ _tag: "HttpError", status: 200 });
  });

  it("reads a repo's status and the inline token's expiry when present, and refuses them mistyped", async () => {
    api()
      .get(`${BASE}/repos/notes`)
      .reply(200, envelope({ ...sampleRepo, status: "importing", added_later: 1 }));
    expect((await getRepo(client, "notes"))._unsafeUnwrap()).toEqual({
      ...sampleRepo,
      status: "importing",
      added_later: 1,
    });
    const withExpiry = { ...created, token_expires_at: "2026-12-01T00:00:00Z", expires_at: "2026-12-01T00:00:00Z" };
    api().post(`${BASE}/repos`).reply(201, envelope(withExpiry));
    expect((await createRepo(client, { name: "notes" }))._unsafeUnwrap()).toEqual(withExpiry);
    api()
      .post(`${BASE}/repos/notes/fork`)
      .reply(201, envelope({ ...withExpiry, objects: 3 }));
    expect((await forkRepo(client, "notes", { name: "f" }))._unsafeUnwrap()).toMatchObject({
      objects: 3,
      token_expires_at: withExpiry.token_expires_at,
    });
    api()
      .post(`${BASE}/repos/notes/import`)
      .reply(201, envelope({ ...created, expires_at: 5 }));
    const mistyped = (await importRepo(client, "notes", { url: "https://x" }))._unsafeUnwrapErr() as HttpError;
    expect(mistyped.issues?.map((issue) => issue.path)).toEqual(["result.expires_at"]);
  });
});
