import { existsSync } from "node:fs";
import { readdir, rm } from "node:fs/promises";
import { connect } from "node:net";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, createRepo, listRepos } from "../../src/index.js";
import { type ArtifactsServer, startArtifactsServer } from "../../src/testing/index.js";

let server: ArtifactsServer;
let api: string;
let auth: Record<string, string>;

beforeAll(async () => {
  server = await startArtifactsServer({ maxBodyBytes: 64 * 1024 });
  api = `${server.baseUrl}/accounts/${server.accountId}/artifacts/namespaces/default`;
  auth = { authorization: `Bearer ${server.apiToken}` };
  await createRepo(createClient({ ...server.clientOptions, retry: 0 }), { name: "victim" });
});
afterAll(() => server.close());

/** Sends a raw request and returns status and parsed envelope (or text). */
async function raw(url: string, init: RequestInit = {}) {
  const response = await fetch(url, { ...init, headers: { ...auth, ...(init.headers as object) } });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: response.status, body, text };
}

const envelopeError = (code: number) =>
  expect.objectContaining({ success: false, result: null, errors: [expect.objectContaining({ code })] });

describe("the local server under abuse answers clearly and keeps running", () => {
  it("refuses an import URL whose user:password@ is not valid percent-encoding with 400, not a 500", async () => {
    const reply = await raw(`${api}/repos/bad-userinfo/import`, {
      method: "POST",
      body: JSON.stringify({ url: "https://x:%ZZsecret@127.0.0.1:9/src.git" }),
    });
    expect([reply.status, reply.body]).toEqual([400, envelopeError(10100)]);
    expect(reply.text).not.toContain("secret");
  });

  it("says only 'internal error' when something breaks inside: no git output, no path of its data folder", async () => {
    const client = createClient({ ...server.clientOptions, retry: 0 });
    const repo = (await createRepo(client, { name: "broken" }))._unsafeUnwrap();
    // Its Git data gone from under the server: a fork's clone fails inside.
    await rm(join(server.dataDir, `${repo.id}.git`), { recursive: true, force: true });
    const reply = await raw(`${api}/repos/broken/fork`, { method: "POST", body: JSON.stringify({ name: "b2" }) });
    expect(reply.status).toBe(500);
    expect(reply.body).toEqual({
      result: null,
      success: false,
      errors: [{ code: 10400, message: "internal error" }],
      messages: [],
    });
    expect(reply.text).not.toContain(server.dataDir);
  });

  it.each([
    ["{", 10100],
    ["[]", 10100],
    ["null", 10100],
    ['"name"', 10100],
    ["42", 10100],
    ['{"name": {"$gt": ""}}', 10101],
    ['{"name": "ok", "read_only": "yes"}', 10100],
  ])("a malformed body %s gets 400 with %i", async (body, code) => {
    const reply = await raw(`${api}/repos`, { method: "POST", body });
    expect([reply.status, reply.body]).toEqual([400, envelopeError(code)]);
  });

  it("a body over the limit gets 413", async () => {
    const reply = await raw(`${api}/repos`, {
      method: "POST",
      body: JSON.stringify({ name: "x", description: "y".repeat(200_000) }),
    });
    expect([reply.status, reply.body]).toEqual([413, envelopeError(10100)]);
  });

  it("unknown routes get 404 and wrong methods 405, always as envelopes", async () => {
    expect(await raw(`${api}/nope`)).toMatchObject({ status: 404, body: envelopeError(7003) });
    expect(await raw(`${server.baseUrl}/zones`)).toMatchObject({ status: 404, body: envelopeError(7003) });
    expect(await raw(`${api}/repos`, { method: "PATCH", body: "{}" })).toMatchObject({
      status: 405,
      body: envelopeError(7001),
    });
    expect(await raw(`${api}/tokens`, { method: "GET" })).toMatchObject({ status: 405 });
    expect(await raw(`${server.origin}/client/v4/%E0%A4%A`)).toMatchObject({ status: 400, body: envelopeError(10100) });
    const noAuth = await fetch(`${api}/repos`);
    expect(noAuth.status).toBe(401);
    expect(await noAuth.json()).toEqual(envelopeError(10000));
  });

  it.each(["..", "..%2F..%2Fetc", "%2e%2e", "victim%2F..%2F..", "%00"])(
    "a traversal attempt in a repo name (%s) reaches no file",
    async (name) => {
      const reply = await raw(`${api}/repos/${name}`);
      // A literal `..` is resolved by the URL itself (no route); an encoded one is looked up as a name (not found).
      expect(reply.status).toBe(404);
      expect(reply.body).toMatchObject({
        success: false,
        errors: [{ code: expect.toSatisfy((code: number) => code === 7003 || code === 10200) }],
      });
      const git = await raw(`${server.origin}/git/default/${name}.git/info/refs?service=git-upload-pack`);
      expect([401, 404]).toContain(git.status);
      expect(git.text).not.toMatch(/root:|\[core\]/);
    },
  );

  it.each(["../escape", "..", "a/../../escape", "/abs", "x\u0000y", "%2e%2e"])(
    "creating a repo named %j is refused with 10101 and writes nothing",
    async (name) => {
      const before = await readdir(server.dataDir);
      const reply = await raw(`${api}/repos`, { method: "POST", body: JSON.stringify({ name }) });
      expect([reply.status, reply.body]).toEqual([400, envelopeError(10101)]);
      expect(await readdir(server.dataDir)).toEqual(before);
      expect(existsSync(join(dirname(server.dataDir), "escape"))).toBe(false);
    },
  );

  it("Git requests with missing, malformed or wrong credentials get 401, never data", async () => {
    const refs = `${server.origin}/git/default/victim.git/info/refs?service=git-upload-pack`;
    const cases: Record<string, string>[] = [
      {},
      { authorization: "Bearer " },
      { authorization: "Bearer art_v1_0000000000000000000000000000000000000000?expires=99999999999" },
      { authorization: `Bearer ${server.apiToken}` },
      { authorization: "Basic !!!not-base64" },
      { authorization: `Basic ${Buffer.from(":nouser").toString("base64")}` },
      { authorization: "Digest whatever" },
    ];
    for (const headers of cases) {
      const response = await fetch(refs, { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Basic /);
      expect(await response.text()).not.toContain("refs/heads");
    }
    for (const path of [
      "/git/../../../etc/passwd",
      "/git/default/victim.git/../../../../etc/passwd",
      "/git/",
      "/git/default",
    ]) {
      const response = await fetch(`${server.origin}${path}`);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(await response.text()).not.toContain("root:");
    }
  });

  it("survives garbage on the socket: drops that connection, answers the next", async () => {
    const answered = await new Promise<string>((resolve) => {
      let received = "";
      const socket = connect(Number(new URL(server.origin).port), "127.0.0.1", () => {
        socket.write("NOT HTTP AT ALL\r\n\r\n\u0000\u0001\u0002");
      });
      socket.on("data", (chunk) => (received += chunk));
      socket.on("error", () => resolve(received));
      socket.on("close", () => resolve(received));
    });
    // Nothing an HTTP client could mistake for an answer, then the connection closed.
    expect(answered).not.toMatch(/^HTTP\/1\.1 2/);
    expect((await listRepos(createClient({ ...server.clientOptions, retry: 0 }))).isOk()).toBe(true);
  });

  afterAll(async () => {
    // Still serving after everything above.
    expect((await listRepos(createClient({ ...server.clientOptions, retry: 0 }))).isOk()).toBe(true);
  });
});
