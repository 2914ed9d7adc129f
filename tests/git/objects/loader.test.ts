import { describe, expect, it } from "vitest";
import { commitFiles, readFiles } from "../../../src/git/index.js";
import { heard, MemoryRemote, type RemoteOptions, texts } from "../../support/memory-remote.js";

/**
 * Where a call's objects come from (loader.ts), through `commitFiles` and `readFiles` on a remote held in memory:
 * Git by id where the remote has `filter`, the binding's `read*` methods, each object checked, and the whole
 * commit as the last resort; what is said through `debug` at each fallback; what ends the call instead.
 */

const URL = "https://acc.artifacts.cloudflare.net/git/default/notes.git";
const author = { name: "Ada", email: "ada@example.com", timestamp: 1_767_225_600, timezoneOffset: 0 };
const FILES = { "a.txt": "alpha\n", "docs/b.txt": "beta\n", "docs/deep/c.txt": "gamma\n" };

function repo(options: RemoteOptions = {}) {
  const remote = new MemoryRemote(options).serve(URL);
  const head = remote.branch("main", remote.commit(FILES));
  return { remote, head, target: { remote: URL, token: remote.options.token } };
}

describe("the binding's read methods, on a remote without filter", () => {
  it("give the commit and the trees on the changed path: no fetch at all before the push", async () => {
    const { remote, head } = repo({ filter: false });
    const { handle, calls } = remote.handle(URL);
    const { lines, debug } = heard();
    const made = (
      await commitFiles(handle, { message: "m", author, files: { "docs/deep/n.txt": "n" } }, { debug })
    )._unsafeUnwrap();
    expect(remote.read(made.commit)).toEqual({ ...FILES, "docs/deep/n.txt": "n" });
    expect(remote.fetches()).toEqual([]);
    const tree = remote.commitOf(head).tree;
    expect(calls.filter((call) => call.startsWith("read"))).toEqual([
      `readCommit ${head}`,
      `readTree ${tree}`,
      expect.stringMatching(/^readTree /),
      expect.stringMatching(/^readTree /),
    ]);
    expect(lines).toEqual([]);
  });

  it("give a read's files when Git will not send them by id", async () => {
    const { remote } = repo({ filter: false });
    const blobs = new Set([...remote.objects].filter(([, object]) => object.type === "blob").map(([oid]) => oid));
    remote.refuseFetch = (args) =>
      args.some((arg) => blobs.has(arg.slice(5))) ? "upload-pack: not our ref (filter needed)" : undefined;
    const { handle, calls } = remote.handle(URL);
    const read = (await readFiles(handle, { paths: ["docs/b.txt"] }))._unsafeUnwrap();
    expect(texts(read.files)).toEqual({ "docs/b.txt": "beta\n" });
    expect(calls.some((call) => call.startsWith("readBlob "))).toBe(true);
    expect(remote.fetches()).toEqual([]);
  });

  it("are checked: a tree that does not hash to its id is set aside, and the whole commit fetched", async () => {
    const { remote, head } = repo({ filter: false });
    const { handle } = remote.handle(URL, {
      readTree: async () => [{ name: "a.txt", mode: "100644", hash: "2".repeat(40) }],
    });
    const { lines, debug } = heard();
    const made = (
      await commitFiles(handle, { message: "m", author, files: { "docs/n": "n" } }, { debug })
    )._unsafeUnwrap();
    expect(remote.read(made.commit)).toEqual({ ...FILES, "docs/n": "n" });
    expect(lines).toEqual([
      "the binding: 1 tree(s) unusable; trying the next source",
      "the remote does not advertise filter: fetching the commit with its files",
    ]);
    expect(remote.fetches().map((served) => served.args.filter((arg) => /^(want|deepen)/.test(arg)))).toEqual([
      ["deepen 1", `want ${head}`],
    ]);
  });

  it("are checked: a commit that does not rebuild to its id is set aside", async () => {
    const { remote, head } = repo({ filter: false });
    const real = remote.handle(URL).handle;
    const { handle } = remote.handle(URL, {
      readCommit: async (oid: string) => ({ ...((await real.readCommit?.(oid)) as object), message: "forged\n" }),
    });
    const { lines, debug } = heard();
    (await commitFiles(handle, { message: "m", author, files: { n: "n" } }, { debug }))._unsafeUnwrap();
    expect(lines[0]).toBe(`the binding: no commit ${head} that rebuilds to its id; trying the next source`);
  });

  it("are checked: a blob that does not hash to its id is set aside; one that throws too", async () => {
    const { remote } = repo({ filter: false });
    remote.refuseFetch = (args) => (args.includes("deepen 1") ? undefined : "upload-pack: not our ref");
    const { handle } = remote.handle(URL, {
      readBlob: async () => new Blob(["forged"]),
      readTree: async () => {
        throw new Error("RPC failed");
      },
    });
    const read = (await readFiles(handle, { paths: ["a.txt"] }))._unsafeUnwrap();
    expect(texts(read.files)).toEqual({ "a.txt": "alpha\n" });
  });
});

describe("Git by id, refused", () => {
  it("a refused fetch of the commit by id is a fallback, said through debug, not the call's end", async () => {
    const { remote, head, target } = repo();
    remote.refuseFetch = (args) => (args.includes("filter tree:1") ? "filter not allowed here" : undefined);
    const { lines, debug } = heard();
    const read = (await readFiles(target, { paths: ["a.txt"] }, { debug }))._unsafeUnwrap();
    expect(texts(read.files)).toEqual({ "a.txt": "alpha\n" });
    expect(lines).toEqual([
      "fetching the commit by id failed (git-upload-pack: filter not allowed here): fetching the commit with its files",
    ]);
    expect(remote.fetches().map((served) => served.args.filter((arg) => /^(want|deepen|filter)/.test(arg)))).toEqual([
      ["deepen 1", `want ${head}`],
    ]);
  });

  it("a refused fetch of trees by id falls back to the whole commit, once for every later need", async () => {
    const { remote, target } = repo();
    remote.refuseFetch = (args) => (args.includes("filter tree:0") ? "no" : undefined);
    const { lines, debug } = heard();
    const read = (await readFiles(target, { paths: ["docs/deep/c.txt", "docs/b.txt"] }, { debug }))._unsafeUnwrap();
    expect(texts(read.files)).toEqual({ "docs/b.txt": "beta\n", "docs/deep/c.txt": "gamma\n" });
    expect(lines).toEqual(["fetching trees by id failed (git-upload-pack: no): fetching the commit with its files"]);
    expect(remote.fetches()).toHaveLength(2);
  });

  it("a refused fetch of files by id falls back to the whole commit", async () => {
    const { remote, target } = repo();
    remote.refuseFetch = (args) => (args.some((arg) => /^filter|^deepen/.test(arg)) ? undefined : "no blobs");
    const { lines, debug } = heard();
    const read = (await readFiles(target, { paths: ["a.txt"] }, { debug }))._unsafeUnwrap();
    expect(texts(read.files)).toEqual({ "a.txt": "alpha\n" });
    expect(lines).toEqual([
      "fetching files by id failed (git-upload-pack: no blobs): fetching the commit with its files",
    ]);
  });

  it("a file the whole commit does not hold either is a protocol error naming it", async () => {
    const { remote, head, target } = repo();
    const blob = remote.entries(remote.commitOf(head).tree).find((entry) => entry.name === "a.txt")?.oid as string;
    remote.objects.delete(blob);
    const read = await readFiles(target, { paths: ["a.txt"] });
    expect(read._unsafeUnwrapErr()).toMatchObject({
      reason: "protocol",
      message: `the remote did not send object ${blob}`,
    });
  });
});

describe("what ends a call instead of a fallback", () => {
  it("an answer over maxFetchBytes: a GitError with the limit, nothing pushed", async () => {
    const { remote, target } = repo({ filter: false });
    const made = await commitFiles(target, { message: "m", author, files: { n: "n" } }, { maxFetchBytes: 200 });
    expect(made._unsafeUnwrapErr()).toMatchObject({ _tag: "GitError", reason: "protocol", maxFetchBytes: 200 });
    expect(remote.updates).toEqual([]);
  });

  it("a fetch by id that gets no answer: a TransportError, not a fallback", async () => {
    const { remote, target } = repo();
    remote.failOn = (_, count) => (count === 3 ? "network" : undefined);
    const read = await readFiles(target, { paths: ["a.txt"] });
    expect(read._unsafeUnwrapErr()).toMatchObject({ _tag: "TransportError" });
    expect(remote.requests).toHaveLength(3);
  });

  it("a fetch by id answered 500 is a fallback to the whole commit", async () => {
    const { remote, target } = repo();
    remote.failOn = (_, count) => (count === 3 ? { status: 500, body: "down" } : undefined);
    const { lines, debug } = heard();
    expect(texts((await readFiles(target, { paths: ["a.txt"] }, { debug }))._unsafeUnwrap().files)).toEqual({
      "a.txt": "alpha\n",
    });
    expect(lines).toEqual([
      "fetching the commit by id failed (the Git remote answered HTTP 500: down): fetching the commit with its files",
    ]);
  });
});

describe("what a fetch by id can leave out", () => {
  it("a commit fetch by id that brings nothing: the whole commit, once, said through debug", async () => {
    const { remote, head, target } = repo();
    let fetched = 0;
    remote.tamper = (pack) => (fetched++ === 0 ? remote.pack([]) : pack);
    const { lines, debug } = heard();
    const read = (await readFiles(target, { paths: ["a.txt"] }, { debug }))._unsafeUnwrap();
    expect(texts(read.files)).toEqual({ "a.txt": "alpha\n" });
    expect(lines).toEqual(["the commit alone cannot be fetched: fetching the commit with its files"]);
    expect(remote.fetches()[1]?.args.filter((arg) => /^(want|deepen|filter)/.test(arg))).toEqual([
      "deepen 1",
      `want ${head}`,
    ]);
  });

  it("tree fetches by id that bring nothing: asked once, then the whole commit, which serves every later need", async () => {
    const { remote, target } = repo();
    remote.tamper = (pack) => (remote.served.at(-1)?.args.includes("filter tree:0") ? remote.pack([]) : pack);
    remote.refuseFetch = (args) => (args.some((arg) => /^(filter|deepen)/.test(arg)) ? undefined : "no blobs by id");
    const { lines, debug } = heard();
    const read = (await readFiles(target, { paths: ["docs/deep/c.txt"] }, { debug }))._unsafeUnwrap();
    expect(texts(read.files)).toEqual({ "docs/deep/c.txt": "gamma\n" });
    expect(lines).toEqual(["1 tree(s) not found by id: fetching the commit with its files"]);
    const whole = remote.fetches().filter((served) => !served.args.some((arg) => arg.startsWith("filter")));
    expect(whole.filter((served) => served.args.includes("deepen 1"))).toHaveLength(1);
    expect(remote.fetches().filter((served) => served.args.includes("filter tree:0"))).toHaveLength(1);
  });

  it("a file the binding gives wrong, when Git will not send it by id: the whole commit", async () => {
    const { remote, head } = repo({ filter: false });
    remote.refuseFetch = (args) => (args.includes("deepen 1") ? undefined : "upload-pack: not our ref");
    const { handle } = remote.handle(URL, { readBlob: async () => new Blob(["forged"]) });
    const { lines, debug } = heard();
    const read = (await readFiles(handle, { paths: ["docs/b.txt"] }, { debug }))._unsafeUnwrap();
    expect(texts(read.files)).toEqual({ "docs/b.txt": "beta\n" });
    expect(lines).toEqual(["the remote does not advertise filter: fetching the commit with its files"]);
    expect(remote.fetches().map((served) => served.args.filter((arg) => /^(want|deepen)/.test(arg)))).toEqual([
      ["deepen 1", `want ${head}`],
    ]);
  });

  it("a last resort that gets no answer ends the call with that failure", async () => {
    const { remote } = repo({ filter: false });
    remote.refuseFetch = () => "upload-pack: not our ref";
    // 1 the advertisement, 2 ls-refs, 3 the file by id (refused), 4 the whole commit: no answer.
    remote.failOn = (_, count) => (count === 4 ? "network" : undefined);
    const { handle } = remote.handle(URL, { readBlob: async () => new Blob(["forged"]) });
    const read = await readFiles(handle, { paths: ["docs/b.txt"] });
    expect(read._unsafeUnwrapErr()).toMatchObject({ _tag: "TransportError", reason: "network" });
    expect(remote.requests).toHaveLength(4);
  });
});
