import { describe, expect, it } from "vitest";
import {
  createNamespace,
  getBlob,
  getCommit,
  getFile,
  getLog,
  getNamespace,
  getRaw,
  getTree,
  type HttpError,
  listNamespaces,
} from "../src/index.js";
import { ACCOUNT, api, BASE, envelope, failure, testClient, useNock } from "./support/nock.js";

useNock();
const client = testClient();
const ACCOUNT_BASE = `/client/v4/accounts/${ACCOUNT}/artifacts`;
const HASH = "0123456789abcdef0123456789abcdef01234567";
const namespace = {
  namespace: "agents-eu",
  jurisdiction: "eu",
  repo_count: 0,
  created_at: "2026-10-01T00:00:00Z",
  updated_at: "2026-10-01T00:00:00Z",
};

describe("namespaces, on the account base", () => {
  it("createNamespace POSTs {namespace, jurisdiction}", async () => {
    api()
      .post(`${ACCOUNT_BASE}/namespaces`, { namespace: "agents-eu", jurisdiction: "eu" })
      .reply(201, envelope(namespace));
    expect((await createNamespace(client, { namespace: "agents-eu", jurisdiction: "eu" }))._unsafeUnwrap()).toEqual(
      namespace,
    );
  });

  it("accepts the undocumented response with only a namespace", async () => {
    api()
      .post(`${ACCOUNT_BASE}/namespaces`, { namespace: "n2" })
      .reply(201, envelope({ namespace: "n2" }));
    expect((await createNamespace(client, { namespace: "n2" }))._unsafeUnwrap()).toEqual({ namespace: "n2" });
  });

  it("listNamespaces GETs with limit and cursor and returns result_info verbatim", async () => {
    const info = { cursor: "next", per_page: 1, count: 1 };
    api()
      .get(`${ACCOUNT_BASE}/namespaces`)
      .query({ limit: "1", cursor: "c" })
      .reply(200, envelope([namespace], { result_info: info }));
    expect((await listNamespaces(client, { limit: 1, cursor: "c" }))._unsafeUnwrap()).toEqual([[namespace], info]);
  });

  it("getNamespace GETs one, encoded", async () => {
    api().get(`${ACCOUNT_BASE}/namespaces/agents-eu`).reply(200, envelope(namespace));
    expect((await getNamespace(client, "agents-eu"))._unsafeUnwrap()).toEqual(namespace);
    expect((await getNamespace(client, ".."))._unsafeUnwrapErr()._tag).toBe("InvalidInputError");
  });
});

describe("repo contents", () => {
  const commit = { hash: HASH, message: "init\n", parents: [] };

  it("getLog GETs /log with ref, limit and offset", async () => {
    api()
      .get(`${BASE}/repos/notes/log`)
      .query({ ref: "main", limit: "2", offset: "4" })
      .reply(200, envelope([commit]));
    expect((await getLog(client, "notes", { ref: "main", limit: 2, offset: 4 }))._unsafeUnwrap()).toEqual([commit]);
  });

  it("getCommit and getTree GET by hash", async () => {
    const entries = [{ mode: "100644", type: "blob", hash: HASH, name: "a.txt" }];
    api().get(`${BASE}/repos/notes/commit/${HASH}`).reply(200, envelope(commit));
    api().get(`${BASE}/repos/notes/tree/${HASH}`).reply(200, envelope(entries));
    expect((await getCommit(client, "notes", HASH))._unsafeUnwrap()).toEqual(commit);
    expect((await getTree(client, "notes", HASH))._unsafeUnwrap()).toEqual(entries);
  });

  it("rejects a commit that is not a JSON object", async () => {
    api().get(`${BASE}/repos/notes/commit/${HASH}`).reply(200, envelope("nope"));
    const error = (await getCommit(client, "notes", HASH))._unsafeUnwrapErr() as HttpError;
    expect(error.issues?.[0]?.path).toBe("result");
  });

  it("getBlob resolves to the raw bytes", async () => {
    const bytes = Uint8Array.from([0, 1, 2, 250, 255]);
    api()
      .get(`${BASE}/repos/notes/blob/${HASH}`)
      .reply(200, Buffer.from(bytes), { "content-type": "application/octet-stream" });
    expect((await getBlob(client, "notes", HASH))._unsafeUnwrap()).toEqual(bytes);
  });

  it("getFile GETs /file with ref and path in the query", async () => {
    api()
      .get(`${BASE}/repos/notes/file`)
      .query({ ref: "feature/x", path: "docs/a b.md" })
      .reply(200, "hello", { "content-type": "application/octet-stream" });
    const bytes = (await getFile(client, "notes", { ref: "feature/x", path: "docs/a b.md" }))._unsafeUnwrap();
    expect(new TextDecoder().decode(bytes)).toBe("hello");
  });

  it("getRaw keeps path slashes as separate encoded segments and reports the content type", async () => {
    api()
      .get(`${BASE}/repos/notes/raw/feature%2Fx/docs/a%20b/index.html`)
      .reply(200, "<p>hi</p>", { "content-type": "text/html; charset=utf-8" });
    const raw = (await getRaw(client, "notes", "feature/x", "docs/a b/index.html"))._unsafeUnwrap();
    expect(raw.contentType).toBe("text/html; charset=utf-8");
    expect(new TextDecoder().decode(raw.bytes)).toBe("<p>hi</p>");
  });

  it.each(["", "/etc/passwd", "a/../b", "a//b", "./a", "a/"])(
    "getRaw refuses the path %j before sending",
    async (path) => {
      const error = (await getRaw(client, "notes", "main", path))._unsafeUnwrapErr();
      expect(error).toMatchObject({ _tag: "InvalidInputError", field: "path" });
    },
  );

  it("maps a byte route's envelope error to an HttpError", async () => {
    api().get(`${BASE}/repos/notes/blob/${HASH}`).reply(404, failure(10200, "blob not found"));
    const error = (await getBlob(client, "notes", HASH))._unsafeUnwrapErr() as HttpError;
    expect([error.status, error.code]).toEqual([404, 10200]);
  });

  it("maps a byte route's non-envelope error page, keeping its text", async () => {
    api().get(`${BASE}/repos/notes/raw/main/a.txt`).reply(502, "<html>bad gateway</html>");
    const error = (await getRaw(client, "notes", "main", "a.txt"))._unsafeUnwrapErr() as HttpError;
    expect(error).toMatchObject({ status: 502, raw: "<html>bad gateway</html>", body: { errors: [] } });
  });
});
