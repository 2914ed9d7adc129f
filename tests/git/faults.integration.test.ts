import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { commitFiles, readFiles } from "../../src/git/index.js";
import { type Client, createClient, createRepo, createToken } from "../../src/index.js";
import { type ArtifactsServer, startArtifactsServer } from "../../src/testing/index.js";
import { gitCli } from "../support/git.js";
import { type GitProxy, startGitProxy } from "../support/git-proxy.js";

/**
 * The data plane when the Git remote misbehaves (a proxy spoils one request), and what it costs when it does not:
 * every failure is a typed Err that leaves the branch as it was, and a read of one file moves little more than
 * that file.
 */

let server: ArtifactsServer;
let client: Client;
let proxy: GitProxy;
let remote: string;
let token: string;
let base: string;
const author = { name: "Ada", email: "ada@example.com" };
const big = randomBytes(2 * 1024 * 1024);

beforeAll(async () => {
  server = await startArtifactsServer();
  client = createClient({ ...server.clientOptions, retry: 0 });
  proxy = await startGitProxy(server.origin);
  const repo = (await createRepo(client, { name: "faulty" }))._unsafeUnwrap();
  remote = proxy.remote(repo.remote);
  token = (await createToken(client, { repo: "faulty", scope: "write", ttl: 3600 }))._unsafeUnwrap().plaintext;
  base = (
    await commitFiles({ remote, token }, { message: "base", author, files: { "big.bin": big, "small.txt": "small" } })
  )._unsafeUnwrap().commit;
});
afterAll(async () => {
  await proxy.close();
  await server.close();
});
beforeEach(() => {
  proxy.fault = undefined;
  proxy.received = 0;
});

/** An error's kind, for comparing with what a fault may give. */
const pick = (error: { _tag: string; reason?: string; message: string }) =>
  error._tag === "GitError"
    ? { _tag: error._tag, reason: error.reason, message: error.message }
    : { _tag: error._tag, reason: error.reason };

async function headOfMain(): Promise<string> {
  const id = server.state.findRepo("default", "faulty")?.id;
  return (await gitCli(["--git-dir", join(server.dataDir, `${id}.git`), "rev-parse", "main"])).stdout.trim();
}

describe("a Git remote that misbehaves", () => {
  it("dies mid-pack: a network TransportError (or, cut at a chunk's end, a protocol GitError), the branch unchanged", async () => {
    proxy.fault = { method: "POST", suffix: "git-upload-pack", fault: { kind: "reset-mid-body" } };
    // The proxy sends half of the answer as one whole HTTP chunk, then closes the socket. Node's fetch mostly calls
    // that a network error; when the close lands right after the chunk, it may end the body there instead, and the
    // half answer is then what a cut-short answer is: a protocol error. Either way nothing is taken as an answer.
    const died = { _tag: "TransportError", reason: "network" };
    const cut = { _tag: "GitError", reason: "protocol", message: expect.stringMatching(/malformed|cut short/) };
    const read = await readFiles({ remote, token }, { paths: ["small.txt"] });
    expect([died, cut]).toContainEqual(expect.objectContaining(pick(read._unsafeUnwrapErr())));
    const commit = await commitFiles({ remote, token }, { message: "x", author, files: { "small.txt": "changed" } });
    expect([died, cut]).toContainEqual(expect.objectContaining(pick(commit._unsafeUnwrapErr())));
    expect(await headOfMain()).toBe(base);
  });

  it("cuts a pack short: a protocol GitError, and the branch unchanged", async () => {
    for (const drop of [4, 5, 30, 300]) {
      proxy.fault = { method: "POST", suffix: "git-upload-pack", fault: { kind: "truncate", drop } };
      const read = await readFiles({ remote, token }, { paths: ["small.txt"] });
      expect(read._unsafeUnwrapErr(), `${drop} bytes short`).toMatchObject({ _tag: "GitError", reason: "protocol" });
      const commit = await commitFiles({ remote, token }, { message: "x", author, files: { "small.txt": "changed" } });
      expect(commit._unsafeUnwrapErr(), `${drop} bytes short`).toMatchObject({ _tag: "GitError", reason: "protocol" });
    }
    expect(await headOfMain()).toBe(base);
  });

  it("refuses the token half-way (401 on the push): an auth GitError, and the branch unchanged", async () => {
    proxy.fault = { method: "POST", suffix: "git-receive-pack", fault: { kind: "status", status: 401 } };
    const commit = await commitFiles({ remote, token }, { message: "x", author, files: { "small.txt": "changed" } });
    expect(commit._unsafeUnwrapErr()).toMatchObject({ _tag: "GitError", reason: "auth", status: 401 });
    expect(await headOfMain()).toBe(base);
  });

  it("answers a 500: a protocol GitError with the status", async () => {
    proxy.fault = { method: "GET", suffix: "info/refs", fault: { kind: "status", status: 500 } };
    const read = await readFiles({ remote, token });
    expect(read._unsafeUnwrapErr()).toMatchObject({ _tag: "GitError", reason: "protocol", status: 500 });
  });

  it("refuses a timeout that is not a usable number before sending", async () => {
    const sent = proxy.requests.length;
    for (const timeout of [Number.NaN, -1, Number.POSITIVE_INFINITY]) {
      const read = await readFiles({ remote, token }, {}, { timeout });
      expect(read._unsafeUnwrapErr()).toMatchObject({ _tag: "InvalidInputError", field: "timeout" });
    }
    expect(proxy.requests.length).toBe(sent);
  });

  it("times out and aborts as TransportErrors", async () => {
    const timedOut = await readFiles({ remote, token }, {}, { timeout: 1 });
    expect(timedOut._unsafeUnwrapErr()).toMatchObject({ _tag: "TransportError", reason: "timeout" });
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    const aborted = await commitFiles(
      { remote, token },
      { message: "x", author, files: { a: "a" } },
      { signal: controller.signal },
    );
    expect(aborted._unsafeUnwrapErr()).toMatchObject({ _tag: "TransportError", reason: "abort" });
    expect(await headOfMain()).toBe(base);
  });
});

describe("a Git remote without partial fetches", () => {
  /** The capability advertisement, re-framed without `filter` in the `fetch` line. */
  const withoutFilter = (body: Buffer) => {
    const lines: string[] = [];
    for (let offset = 0; offset < body.length; ) {
      const length = Number.parseInt(body.subarray(offset, offset + 4).toString(), 16);
      const text = length < 4 ? "" : body.subarray(offset + 4, offset + length).toString();
      offset += Math.max(4, length);
      if (length < 4) lines.push("0000");
      else {
        const line = text.startsWith("fetch=") ? text.replace(" filter", "") : text;
        lines.push((Buffer.byteLength(line) + 4).toString(16).padStart(4, "0") + line);
      }
    }
    return Buffer.from(lines.join(""));
  };

  it("reads and commits correctly by fetching the head whole, and says so through debug", async () => {
    const notes: string[] = [];
    const debug = (note: string) => notes.push(note);
    proxy.fault = { method: "GET", suffix: "info/refs", fault: { kind: "transform", apply: withoutFilter } };
    const read = (await readFiles({ remote, token }, { paths: ["small.txt"] }, { debug }))._unsafeUnwrap();
    expect(new TextDecoder().decode(read.files.get("small.txt"))).toBe("small");
    expect(notes).toEqual(["the remote does not advertise filter: fetching the commit with its files"]);
    // Correct, not cheap: the big file came too.
    expect(proxy.received).toBeGreaterThan(big.length);
  });

  it("falls back to the whole commit when the remote refuses to send files by id", async () => {
    const notes: string[] = [];
    // ls-refs and the fetch of the commit with its root tree pass; the fetch of the file by id gets a 500.
    proxy.fault = {
      method: "POST",
      suffix: "git-upload-pack",
      fault: { kind: "status", status: 500 },
      skip: 2,
      once: true,
    };
    const settled = await readFiles({ remote, token }, { paths: ["small.txt"] }, { debug: (note) => notes.push(note) });
    const read = settled._unsafeUnwrap();
    expect(new TextDecoder().decode(read.files.get("small.txt"))).toBe("small");
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(
      /^fetching files by id failed \(the Git remote answered HTTP 500.*\): fetching the commit with its files$/,
    );
  });
});

describe("what a call downloads", () => {
  it("reads one small file of a repo holding a 2 MiB file without receiving the big one", async () => {
    const read = (await readFiles({ remote, token }, { paths: ["small.txt"] }))._unsafeUnwrap();
    expect(new TextDecoder().decode(read.files.get("small.txt"))).toBe("small");
    expect(proxy.received).toBeLessThan(16 * 1024);
  });

  it("commits one file next to the big one without receiving it", async () => {
    const made = (
      await commitFiles({ remote, token }, { message: "one", author, files: { "note.txt": "n" } })
    )._unsafeUnwrap();
    expect(proxy.received).toBeLessThan(16 * 1024);
    const read = (await readFiles({ remote, token }, { paths: ["big.bin"] }))._unsafeUnwrap();
    expect(read.commit).toBe(made.commit);
    // Not toEqual: vitest compares 2 MiB byte by byte slowly.
    expect(big.equals(read.files.get("big.bin") ?? new Uint8Array(0))).toBe(true);
    base = made.commit;
  });
});
