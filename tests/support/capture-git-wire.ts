/**
 * Captures the Git wire bytes the unit tests of src/git replay (tests/fixtures/git-wire.json): each exchange of
 * upload-pack v2 and receive-pack v1 with a real `git http-backend` (the local server), request and answer.
 * Run again after a change to what the data plane sends: `npx tsx tests/support/capture-git-wire.ts`. The requests
 * come out the same every run (fixed authors and times); git may cut its side-band answers differently.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  commitFiles,
  createBranch,
  deleteBranch,
  diffRefs,
  listRefs,
  mergeRefs,
  readFiles,
} from "../../src/git/index.js";
import { PackParser } from "../../src/git/wire/pack-reader.js";
import { pushPack, ZERO_OID } from "../../src/git/wire/receive-pack.js";
import { type Remote, request } from "../../src/git/wire/smart-http.js";
import { capabilities, fetchPack, lsRefs } from "../../src/git/wire/upload-pack.js";

const parser = () => new PackParser({ maxTotalBytes: 64 * 1024 * 1024 });

import { createClient, createRepo, createToken } from "../../src/index.js";
import { startArtifactsServer } from "../../src/testing/index.js";

interface Exchange {
  method: string;
  path: string;
  gitProtocol: string | null;
  requestBody: string;
  status: number;
  contentType: string | null;
  responseBody: string;
}

const captured: Record<string, Exchange> = {};
const flows: Record<string, Exchange[]> = {};
let current = "";
let flowing: Exchange[] | undefined;
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  if ((!current && !flowing) || typeof input !== "string") return realFetch(input, init);
  const url = new URL(String(input));
  // A push's pack is a stream: captured as the bytes it sends, and sent as those.
  const sent = init?.body ? new Uint8Array(await new Response(init.body).arrayBuffer()) : undefined;
  const response = await realFetch(input, { ...init, body: sent, duplex: undefined } as RequestInit);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const headers = new Headers(init?.headers);
  const exchange: Exchange = {
    method: init?.method ?? "GET",
    path: url.pathname.replace(/^\/git\/default\/[^/]+\.git/, "") + url.search,
    gitProtocol: headers.get("git-protocol"),
    requestBody: Buffer.from(sent ?? new Uint8Array()).toString("base64"),
    status: response.status,
    contentType: response.headers.get("content-type"),
    responseBody: Buffer.from(bytes).toString("base64"),
  };
  if (flowing) flowing.push(exchange);
  else captured[current] = exchange;
  return new Response(bytes, { status: response.status, headers: response.headers });
};
const as = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
  current = name;
  try {
    return await run();
  } finally {
    current = "";
  }
};

/** Every exchange of one whole call, in order. */
const flow = async <T>(name: string, run: () => PromiseLike<T>): Promise<T> => {
  flowing = flows[name] = [];
  try {
    return await run();
  } finally {
    flowing = undefined;
  }
};

const server = await startArtifactsServer();
try {
  const client = createClient({ ...server.clientOptions, retry: 0 });
  const empty = (await createRepo(client, { name: "empty" }))._unsafeUnwrap();
  const repo = (await createRepo(client, { name: "wire" }))._unsafeUnwrap();
  const author = { name: "Ada", email: "ada@example.com", timestamp: 1_767_225_600, timezoneOffset: 0 };
  const made = (
    await commitFiles(client, "wire", { message: "first", author, files: { "a.txt": "alpha\n" } })
  )._unsafeUnwrap();
  const token = (await createToken(client, { repo: "wire", scope: "write" }))._unsafeUnwrap().plaintext;
  const remoteOf = (url: string, secret: string): Remote => ({
    url,
    token: secret,
    signal: undefined,
    timeout: 10_000,
    headers: undefined,
    maxFetchBytes: 1 << 20,
    debug: () => {},
  });
  const wire = remoteOf(repo.remote, token);
  const caps = (await as("upload-pack advertisement", () => capabilities(wire)))._unsafeUnwrap();
  await as("ls-refs", () => lsRefs(wire, caps, ["HEAD", "refs/heads/"]));
  await as("fetch", () => fetchPack(wire, caps, { wants: [made.commit], shallow: true, filter: "tree:0" }, parser()));
  await as("fetch of an unknown object", () => fetchPack(wire, caps, { wants: ["1".repeat(40)] }, parser()));
  await as("receive-pack advertisement", () => request(wire, "git-receive-pack"));
  const blob = new TextEncoder().encode("beta\n");
  await as("push of a stale head", () =>
    pushPack(wire, {
      ref: "refs/heads/main",
      old: "2".repeat(40),
      new: made.commit,
      objects: [{ type: "blob", content: blob }],
    }),
  );
  await as("push of a branch", () => pushPack(wire, { ref: "refs/heads/copy", old: ZERO_OID, new: made.commit }));
  await as("delete of a branch", () => pushPack(wire, { ref: "refs/heads/copy", old: made.commit, new: ZERO_OID }));
  const emptyRemote = remoteOf(empty.remote, empty.token);
  const emptyCaps = (
    await as("upload-pack advertisement of an empty repo", () => capabilities(emptyRemote))
  )._unsafeUnwrap();
  await as("ls-refs of an empty repo", () => lsRefs(emptyRemote, emptyCaps, ["HEAD", "refs/heads/"]));
  await as("receive-pack advertisement of an empty repo", () => request(emptyRemote, "git-receive-pack"));
  // Whole calls on a token (the `{ remote, token }` target), so nothing but Git is spoken.
  // Each flow on a target of its own, as each unit test replays it: nothing kept from the flow before.
  const fresh = () => ({ remote: repo.remote, token });
  const target = fresh();
  const later = { ...author, timestamp: author.timestamp + 60 };
  const second = (
    await flow("commit of one new file", () =>
      commitFiles(fresh(), { message: "second", author: later, files: { "docs/b.txt": "beta\n" } }),
    )
  )._unsafeUnwrap();
  await flow("commit on a stale parent", () =>
    commitFiles(fresh(), { message: "late", author: later, files: { "c.txt": "c" }, parent: made.commit }),
  );
  await flow("read of one file", () => readFiles(fresh(), { paths: ["docs/b.txt"] }));
  await flow("read of the whole head", () => readFiles(fresh()));
  await flow("list of refs", () => listRefs(fresh()));
  await flow("diff of two commits", () => diffRefs(fresh(), { from: made.commit, to: second.commit, contents: true }));
  await flow("branch created", () => createBranch(fresh(), { name: "draft", from: "main" }));
  await flow("branch deleted", () => deleteBranch(fresh(), { name: "draft" }));
  // Two lines of work: `side` adds a file, `main` edits another; then they merge, and a clash does not.
  const third = { ...author, timestamp: author.timestamp + 120 };
  (
    await commitFiles(target, {
      message: "side",
      author: third,
      branch: "side",
      from: "main",
      files: { "s.txt": "s\n" },
    })
  )._unsafeUnwrap();
  (await commitFiles(target, { message: "main", author: third, files: { "a.txt": "alpha\nmore\n" } }))._unsafeUnwrap();
  await flow("three-way merge", () =>
    mergeRefs(fresh(), { from: "side", into: "main", author: third, message: "merge side" }),
  );
  (
    await commitFiles(target, {
      message: "clash",
      author: third,
      branch: "clash",
      from: "side",
      files: { "a.txt": "other\n" },
    })
  )._unsafeUnwrap();
  await flow("merge that conflicts", () => mergeRefs(fresh(), { from: "clash", into: "main", author: third }));
  const out = { ids: { commit: made.commit, second: second.commit }, exchanges: captured, flows };
  await writeFile(join(import.meta.dirname, "../fixtures/git-wire.json"), `${JSON.stringify(out, null, 2)}\n`);
  console.log(Object.keys(captured).join("\n"));
} finally {
  globalThis.fetch = realFetch;
  await server.close();
}
