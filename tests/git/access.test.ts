import { describe, expect, it } from "vitest";
import { type ArtifactsRepoHandle, commitFiles, disposeGit, gitSession, readFiles } from "../../src/git/index.js";
import { createClient } from "../../src/index.js";
import { flows, ids, lsRefs, REMOTE_URL, replay, TOKEN, withoutLsRefs } from "../support/git-wire.js";
import { MemoryRemote, memoryClient, type RemoteOptions } from "../support/memory-remote.js";

/**
 * The three targets of the data plane, each reaching the same replayed Git exchanges: a binding handle (info,
 * createToken, revokeToken), a client (getRepo, createToken, deleteToken over REST, faked here) and `{ remote, token }`
 * (checked, then used as given). A minted token is kept for the target's next calls and revoked by `disposeGit`;
 * options are checked first.
 */

/** What a target that knows the default branch (`main`) sends instead of asking for HEAD. */
const knowing = (flow: string, prefixes: string[], head: string) =>
  replay(...withoutLsRefs(flows[flow]!), lsRefs(prefixes, [`${head} refs/heads/main`]));
const COMMIT_REFS = ["refs/heads/main"];
const READ_REFS = ["refs/heads/main", "refs/tags/main"];

const author = { name: "Ada", email: "ada@example.com", timestamp: 1_767_225_660, timezoneOffset: 0 };
const input = { message: "second", author, files: { "docs/b.txt": "beta\n" } };

/** A handle whose every call is recorded; `overrides` replace its methods. */
function fakeHandle(overrides: Partial<ArtifactsRepoHandle> = {}) {
  const calls: string[] = [];
  const handle: ArtifactsRepoHandle = {
    info: async () => {
      calls.push("info");
      return { remote: REMOTE_URL, defaultBranch: "main" };
    },
    createToken: async (scope, ttl) => {
      calls.push(`createToken ${scope} ${ttl}`);
      return { id: "minted0000000001", plaintext: TOKEN };
    },
    revokeToken: async (id) => {
      calls.push(`revokeToken ${id}`);
      return true;
    },
    ...overrides,
  };
  return { handle, calls };
}

/** A client whose REST calls are answered here: the repo, a minted token, its revocation. */
function fakeClient(answers: { deleteStatus?: number } = {}) {
  const calls: string[] = [];
  const envelope = (result: unknown, status = 200) =>
    Response.json(
      { result, success: status < 300, errors: status < 300 ? [] : [{ code: 10400, message: "no" }], messages: [] },
      { status },
    );
  const client = createClient({
    accountId: "acc",
    apiToken: "an-api-token-for-tests",
    retry: 0,
    fetch: async (request: Request | string | URL) => {
      const sent = request instanceof Request ? request : new Request(request);
      const path = new URL(sent.url).pathname.replace("/client/v4/accounts/acc/artifacts/namespaces/default", "");
      calls.push(`${sent.method} ${path}${sent.method === "POST" ? ` ${await sent.text()}` : ""}`);
      if (path === "/repos/wire") return envelope({ ...repoFields, remote: REMOTE_URL });
      if (path === "/tokens")
        return envelope({ id: "minted0000000001", plaintext: TOKEN, scope: "write", expires_at: "x" }, 201);
      return envelope({ id: "minted0000000001" }, answers.deleteStatus ?? 200);
    },
  });
  return { client, calls };
}
const repoFields = {
  id: "r",
  name: "wire",
  description: null,
  default_branch: "main",
  created_at: "x",
  updated_at: "x",
  last_push_at: null,
  source: null,
  read_only: false,
};

describe("the binding's handle as a target", () => {
  it("reads the remote from info(), mints a write token for ten minutes, keeps it, and revokes it on disposeGit", async () => {
    const { unmatched } = knowing("commit of one new file", COMMIT_REFS, ids.commit);
    const { handle, calls } = fakeHandle();
    const made = await commitFiles(handle, input);
    expect(unmatched).toEqual([]);
    expect(made._unsafeUnwrap().commit).toBe(ids.second);
    // The repo's details and the token are asked for together, and kept: nothing is revoked as the call ends.
    expect(calls.sort()).toEqual(["createToken write 600", "info"]);
    await disposeGit(handle);
    expect(calls.slice(2)).toEqual(["revokeToken minted0000000001"]);
    // Disposed twice: nothing more to revoke.
    await disposeGit(handle);
    expect(calls).toHaveLength(3);
  });

  it("mints a read token to read, revoked when the session's `await using` scope ends", async () => {
    knowing("read of the whole head", READ_REFS, ids.second);
    const { handle, calls } = fakeHandle();
    {
      await using _session = gitSession(handle);
      expect((await readFiles(handle))._unsafeUnwrap().commit).toBe(ids.second);
      expect(calls.sort()).toEqual(["createToken read 600", "info"]);
    }
    expect(calls.slice(2)).toEqual(["revokeToken minted0000000001"]);
  });

  it("uses a token given, minting and revoking nothing", async () => {
    knowing("read of the whole head", READ_REFS, ids.second);
    const { handle, calls } = fakeHandle();
    expect((await readFiles(handle, { token: TOKEN })).isOk()).toBe(true);
    expect(calls).toEqual(["info"]);
  });

  it.each([
    [
      "info() gives no remote",
      { info: async () => null },
      "not-found",
      "the binding's info() gave no remote (no such repo?)",
    ],
    [
      "info() throws NOT_FOUND",
      { info: async () => Promise.reject(new Error("NOT_FOUND: no repo")) },
      "not-found",
      "the binding's info() failed: NOT_FOUND: no repo",
    ],
    [
      "createToken() fails",
      { createToken: async () => Promise.reject(new Error(`boom ${TOKEN}`)) },
      "protocol",
      "the binding's createToken() failed: boom art_v1_[REDACTED]",
    ],
    [
      "createToken() gives no token",
      { createToken: async () => ({ id: "x", plaintext: "nope" }) },
      "protocol",
      "the binding's createToken() gave no repo token",
    ],
  ])("fails cleanly when %s", async (_, overrides, reason, message) => {
    const { handle } = fakeHandle(overrides as Partial<ArtifactsRepoHandle>);
    expect((await readFiles(handle))._unsafeUnwrapErr()).toMatchObject({ _tag: "GitError", reason, message });
  });

  it("keeps the token minted while info() failed, and says through debug when its revocation fails", async () => {
    const heard: string[] = [];
    const { handle, calls } = fakeHandle({
      info: async () => null,
      revokeToken: async () => {
        calls.push("revokeToken");
        throw new Error("gone");
      },
    });
    await readFiles(handle, {}, { debug: (message) => heard.push(message) });
    expect(calls).toEqual(["createToken read 600"]);
    await disposeGit(handle);
    expect(calls).toEqual(["createToken read 600", "revokeToken"]);
    expect(heard).toEqual(["could not revoke a token minted for this repo (Error: gone)"]);
  });

  it("ends with an Err, never a rejection, when createToken() throws at once", async () => {
    const { handle } = fakeHandle({
      createToken: (() => {
        throw new Error(`sync boom ${TOKEN}`);
      }) as never,
    });
    const read = readFiles(handle);
    await expect(read).resolves.toBeDefined();
    expect((await read)._unsafeUnwrapErr()).toMatchObject({
      _tag: "GitError",
      reason: "protocol",
      message: "the binding's createToken() failed: sync boom art_v1_[REDACTED]",
    });
  });

  it("takes a createToken() that answers without a promise, as an RPC stub may", async () => {
    knowing("read of the whole head", READ_REFS, ids.second);
    const { handle, calls } = fakeHandle({
      createToken: ((scope: string, ttl: number) => {
        calls.push(`createToken ${scope} ${ttl}`);
        return { id: "minted0000000001", plaintext: TOKEN };
      }) as never,
    });
    expect((await readFiles(handle))._unsafeUnwrap().commit).toBe(ids.second);
    await disposeGit(handle);
    expect(calls.slice(2)).toEqual(["revokeToken minted0000000001"]);
  });

  it.each([
    [
      "throws at once",
      () => {
        throw new Error("sync gone");
      },
      "could not revoke a token minted for this repo (Error: sync gone)",
    ],
    ["answers without a promise", () => true, undefined],
  ])("disposes without a rejection when revokeToken() %s", async (_, revokeToken, said) => {
    knowing("read of the whole head", READ_REFS, ids.second);
    const heard: string[] = [];
    const { handle } = fakeHandle({ revokeToken: revokeToken as never });
    const read = await readFiles(handle, {}, { debug: (message) => heard.push(message) });
    expect(read._unsafeUnwrap().commit).toBe(ids.second);
    await expect(disposeGit(handle)).resolves.toBeUndefined();
    expect(heard.filter((line) => line.startsWith("could not revoke"))).toEqual(said ? [said] : []);
  });

  it("refuses a remote with credentials in it", async () => {
    const { handle } = fakeHandle({ info: async () => ({ remote: "https://x:y@example.com/r.git" }) });
    expect((await readFiles(handle, { token: TOKEN }))._unsafeUnwrapErr()).toMatchObject({ field: "remote" });
  });
});

describe("a client as a target", () => {
  it("finds the remote with getRepo, mints with createToken, revokes with deleteToken on disposeGit", async () => {
    knowing("commit of one new file", COMMIT_REFS, ids.commit);
    const { client, calls } = fakeClient();
    expect((await commitFiles(client, "wire", input))._unsafeUnwrap().commit).toBe(ids.second);
    expect(calls.sort()).toEqual(['POST /tokens {"repo":"wire","scope":"write","ttl":600}', "GET /repos/wire"].sort());
    await disposeGit(client);
    expect(calls.slice(2)).toEqual(["DELETE /tokens/minted0000000001"]);
  });

  it("says through debug when the revocation fails, and still disposes", async () => {
    knowing("read of the whole head", READ_REFS, ids.second);
    const { client } = fakeClient({ deleteStatus: 500 });
    const heard: string[] = [];
    expect((await readFiles(client, "wire", {}, { debug: (message) => heard.push(message) })).isOk()).toBe(true);
    await disposeGit(client);
    expect(heard).toEqual(["could not revoke a token minted for this repo (HTTP 500: [10400] no)"]);
  });

  it("is not broken by a debug listener that throws", async () => {
    knowing("read of the whole head", READ_REFS, ids.second);
    const { client } = fakeClient({ deleteStatus: 500 });
    const result = await readFiles(
      client,
      "wire",
      {},
      {
        debug: () => {
          throw new Error("listener");
        },
      },
    );
    expect(result.isOk()).toBe(true);
  });
});

describe("options and targets, checked before anything is sent", () => {
  const remote = { remote: REMOTE_URL, token: TOKEN };

  it.each([
    [{ timeout: -1 }, "timeout", "timeout is not a usable number"],
    [{ timeout: Number.POSITIVE_INFINITY }, "timeout", "timeout is not a usable number"],
    [{ maxFetchBytes: 0 }, "maxFetchBytes", "maxFetchBytes must be a whole number of bytes, more than 0"],
    [{ maxFetchBytes: 1.5 }, "maxFetchBytes", "maxFetchBytes must be a whole number of bytes, more than 0"],
  ])("refuses %j", async (options, field, message) => {
    const { requests } = replay();
    expect((await readFiles(remote, {}, options))._unsafeUnwrapErr()).toMatchObject({ field, message });
    expect(requests).toEqual([]);
  });

  it("takes timeout false and a whole maxFetchBytes", async () => {
    replay(...flows["read of the whole head"]!);
    expect((await readFiles(remote, {}, { timeout: false, maxFetchBytes: 1 << 20 })).isOk()).toBe(true);
  });

  it("refuses a bad token, in the target or the input, and an aborted signal", async () => {
    const { requests } = replay();
    const format = "token must be a repo token (art_v1_... or art_v2_...)";
    expect((await readFiles({ remote: REMOTE_URL, token: "nope" }))._unsafeUnwrapErr()).toMatchObject({
      field: "token",
      message: format,
    });
    const { handle } = fakeHandle();
    expect((await readFiles(handle, { token: "nope" }))._unsafeUnwrapErr()).toMatchObject({
      field: "token",
      message: format,
    });
    expect((await readFiles(remote, {}, { signal: AbortSignal.abort() }))._unsafeUnwrapErr()).toMatchObject({
      reason: "abort",
    });
    expect(requests).toEqual([]);
  });

  it("turns a throwing getter of the input into an InvalidInputError", async () => {
    const hostile = Object.defineProperty({}, "paths", {
      get() {
        throw new Error(`no ${TOKEN}`);
      },
    });
    expect((await readFiles(remote, hostile))._unsafeUnwrapErr()).toMatchObject({
      _tag: "InvalidInputError",
      field: "input",
      message: "the input could not be read: no art_v1_[REDACTED]",
    });
  });
});

describe("targets on a remote held in memory", () => {
  const URL = "https://acc.artifacts.cloudflare.net/git/default/notes.git";
  const FILES = { "a.txt": "alpha\n", "docs/b.txt": "beta\n" };
  const repo = (options: RemoteOptions = {}) => {
    const remote = new MemoryRemote(options).serve(URL);
    const head = remote.branch("main", remote.commit(FILES));
    return { remote, head };
  };

  it("takes a handle that is a function with the handle's methods (an RPC stub)", async () => {
    const { remote, head } = repo();
    const { handle } = remote.handle(URL);
    const stub = Object.assign(() => {}, handle);
    expect((await readFiles(stub as unknown as ArtifactsRepoHandle))._unsafeUnwrap().commit).toBe(head);
  });

  it("reads the client's repo remote without its trailing slash, and the REST contents routes as a source", async () => {
    const { remote } = repo({ filter: false });
    const { client, calls } = memoryClient({ notes: { remote, url: `${URL}//` } });
    const made = (await commitFiles(client, "notes", { ...input, files: { "docs/n.txt": "n" } }))._unsafeUnwrap();
    expect(remote.read(made.commit)).toEqual({ ...FILES, "docs/n.txt": "n" });
    // The heads from upload-pack's ls-refs, not receive-pack's advertisement of every ref.
    expect(remote.requests.slice(0, 2)).toEqual(["GET info/refs?service=git-upload-pack", "POST git-upload-pack"]);
    expect(remote.fetches()).toEqual([]);
    expect(calls.filter((call) => /\/(commit|tree)\//.test(call))).toHaveLength(3);
  });

  it("gives each Git request of a client's call the client's timeout, over a remote that takes its time", async () => {
    const { remote } = repo({ latency: 20 });
    const { client } = memoryClient({ notes: { remote, url: URL } });
    // A folder: read by Git (a few files by name come over REST).
    expect((await readFiles(client, "notes", { paths: ["docs/"] })).isOk()).toBe(true);
    const slow = await readFiles(client, "notes", { paths: ["docs/"] }, { timeout: 5 });
    expect(slow._unsafeUnwrapErr()).toMatchObject({ _tag: "TransportError", reason: "timeout" });
  });

  it("uses a client's token given in the input, minting and revoking nothing, and sends its headers over REST", async () => {
    const { remote } = repo();
    const { client, calls, headers } = memoryClient({ notes: { remote, url: URL } });
    const read = await readFiles(client, "notes", { token: remote.options.token }, { headers: { "x-trace": "t2" } });
    expect(read.isOk()).toBe(true);
    expect(calls).toEqual(["GET repos/notes"]);
    expect(headers.map((sent) => sent.get("x-trace"))).toEqual(["t2"]);
  });

  it("sends the caller's headers with every REST call of the call: the repo, the mint, the contents, the revocation", async () => {
    const { remote } = repo({ filter: false });
    const { client, calls, headers } = memoryClient({ notes: { remote, url: URL } });
    (await commitFiles(client, "notes", input, { headers: { "x-trace": "t3" } }))._unsafeUnwrap();
    expect(calls.length).toBeGreaterThan(3);
    expect(headers.map((sent) => sent.get("x-trace"))).toEqual(calls.map(() => "t3"));
  });

  it("waits for the revocation of every kept token as it disposes", async () => {
    const { remote } = repo();
    let revoked = false;
    const { handle } = remote.handle(URL, {
      info: async () => {
        throw new Error("NotFound: gone");
      },
      revokeToken: () =>
        new Promise((resolve) =>
          setTimeout(() => {
            revoked = true;
            resolve(true);
          }, 20),
        ),
    });
    const read = await readFiles(handle);
    expect(read._unsafeUnwrapErr()).toMatchObject({
      reason: "not-found",
      message: "the binding's info() failed: NotFound: gone",
    });
    expect(revoked).toBe(false);
    await disposeGit(handle);
    expect(revoked).toBe(true);
  });

  it("sends the caller's headers with every Git request, under its own auth", async () => {
    const { remote } = repo();
    await readFiles(
      { remote: URL, token: remote.options.token },
      {},
      { headers: { "x-trace": "t1", authorization: "no" } },
    );
    expect(remote.headers.map((headers) => headers.get("x-trace"))).toEqual(["t1", "t1", "t1"]);
    expect(remote.headers.every((headers) => headers.get("authorization") === `Bearer ${remote.options.token}`)).toBe(
      true,
    );
  });

  it("stops calling a debug listener that threw", async () => {
    const { remote } = repo({ filter: false });
    const { handle } = remote.handle(URL, { readTree: async () => [] });
    let heard = 0;
    const debug = () => {
      heard++;
      throw new Error("listener");
    };
    expect((await commitFiles(handle, input, { debug })).isOk()).toBe(true);
    expect(heard).toBe(1);
  });

  it("ends at once on an abort during the mint, and keeps the token the mint answers for the next call", async () => {
    const { remote } = repo();
    let answer: (() => void) | undefined;
    const { handle, calls } = remote.handle(URL, {
      createToken: () =>
        new Promise((resolve) => {
          answer = () => resolve({ id: "late-token", plaintext: remote.options.token });
        }),
    });
    const controller = new AbortController();
    const read = readFiles(handle, {}, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("stop")), 5);
    expect((await read)._unsafeUnwrapErr()).toMatchObject({ _tag: "TransportError", reason: "abort" });
    expect(calls.some((call) => call.startsWith("revokeToken"))).toBe(false);
    answer?.();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(remote.requests).toEqual([]);
    // The next call takes the token the aborted one waited for: no second mint.
    expect((await readFiles(handle)).isOk()).toBe(true);
    expect(calls.filter((call) => call.startsWith("createToken"))).toHaveLength(1);
    await disposeGit(handle);
    expect(calls.filter((call) => call.startsWith("revokeToken"))).toEqual(["revokeToken late-token"]);
  });
});
