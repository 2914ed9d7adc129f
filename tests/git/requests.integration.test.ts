import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  commitFiles,
  createBranch,
  diffRefs,
  disposeGit,
  listCommits,
  listRefs,
  mergeRefs,
  readFiles,
} from "../../src/git/index.js";
import { type Client, createClient, createRepo, createToken, deleteToken } from "../../src/index.js";
import { gitCli, removeTempDirs, tempDir, withBearer } from "../support/git.js";
import { useLocalServer } from "../support/local-server.js";

/**
 * What each call of the data plane sends, counted at `fetch` on the local server (git http-backend, with `filter`),
 * cold (a target's first call) and warm (the same target again): the floors of the protocol, within one request on
 * a first call. A repo of 50 files, the one changed at depth 2. Every result is judged by git.
 */

const local = useLocalServer();
afterAll(() => removeTempDirs());

const author = { name: "Ada Agent", email: "ada@example.com", timestamp: 1_764_000_000, timezoneOffset: 0 };

/** Every request of this process, as `REST GET repos/x` or `git caps|ls-refs|fetch|push`. */
let sent: string[] = [];
const realFetch = globalThis.fetch;
async function counting(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  // Not a Request of its own: that would take a push's streamed body from the real fetch.
  const url = new URL(input instanceof Request ? input.url : String(input));
  const method = (input instanceof Request ? input.method : init?.method) ?? "GET";
  if (url.pathname.includes("/artifacts/namespaces/")) {
    sent.push(`REST ${method} ${url.pathname.replace(/^.*\/namespaces\/[^/]+\//, "")}`);
  } else if (url.search === "?service=git-upload-pack") sent.push("git caps");
  else if (url.search === "?service=git-receive-pack") sent.push("git receive-pack advertisement");
  else if (url.pathname.endsWith("/git-receive-pack")) sent.push("git push");
  else {
    const body = init?.body instanceof Uint8Array ? new TextDecoder().decode(init.body) : "";
    sent.push(`git ${/command=([a-z-]+)/.exec(body)?.[1] ?? "?"}`);
  }
  return realFetch(input, init);
}
beforeEach(() => {
  vi.stubGlobal("fetch", counting);
});
afterEach(() => {
  vi.unstubAllGlobals();
});
/** What `call` sent. */
async function counted<T>(call: () => PromiseLike<T>): Promise<{ value: T; sent: string[] }> {
  sent = [];
  const value = await call();
  return { value, sent: [...sent] };
}

let counter = 0;
/** A repo of 50 files (`src/lib/x.ts` at depth 2), seeded through a client of its own. */
async function fiftyFiles(): Promise<{ name: string; remote: string; token: string; client: Client }> {
  const name = `requests-${++counter}`;
  const created = (await createRepo(local.client, { name }))._unsafeUnwrap();
  const files: Record<string, string> = { "src/lib/x.ts": "x\n", "src/y.ts": "y\n" };
  for (let i = 0; i < 48; i++) files[`f${i}.txt`] = `${i}\n`;
  const seeder = createClient({ ...local.server.clientOptions, retry: 0 });
  (await commitFiles(seeder, name, { message: "seed", author, files }))._unsafeUnwrap();
  await disposeGit(seeder);
  const client = createClient({ ...local.server.clientOptions, retry: 0, fetch: counting });
  return { name, remote: created.remote, token: created.token, client };
}

async function git(name: string, args: string[]): Promise<string> {
  const record = local.server.state.findRepo("default", name);
  const result = await gitCli(["--git-dir", join(local.server.dataDir, `${record?.id}.git`), ...args]);
  if (result.code !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}
const show = (name: string, spec: string) => git(name, ["show", spec]);

describe("commitFiles, counted", () => {
  it("on { remote, token }: 6 requests first (the floor, 5, and capabilities), then 2 in the same folder", async () => {
    const repo = await fiftyFiles();
    const target = { remote: repo.remote, token: repo.token };
    const cold = await counted(() =>
      commitFiles(target, { message: "one", author, files: { "src/lib/x.ts": "x1\n" } }),
    );
    expect(cold.sent).toEqual(["git caps", "git ls-refs", "git fetch", "git fetch", "git fetch", "git push"]);
    const warm = await counted(() => commitFiles(target, { message: "two", author, files: { "src/lib/z.ts": "z\n" } }));
    // The head it pushed, and the trees it wrote, are the target's: read nothing but the head's name.
    expect(warm.sent).toEqual(["git ls-refs", "git push"]);
    expect(await git(repo.name, ["log", "--format=%s", "main"])).toBe("two\none\nseed\n");
    expect(await show(repo.name, "main:src/lib/x.ts")).toBe("x1\n");
    expect(await show(repo.name, "main:src/lib/z.ts")).toBe("z\n");
    expect((await git(repo.name, ["ls-tree", "-r", "--name-only", "main"])).split("\n").filter(Boolean)).toHaveLength(
      51,
    );
  });

  it("on a client: getRepo and the mint beside the Git requests first, then only Git's 2", async () => {
    const repo = await fiftyFiles();
    const cold = await counted(() =>
      commitFiles(repo.client, repo.name, { message: "one", author, files: { "src/lib/x.ts": "x1\n" } }),
    );
    expect(cold.sent.sort()).toEqual(
      [
        `REST GET repos/${repo.name}`,
        "REST POST tokens",
        "git caps",
        "git ls-refs",
        "git fetch",
        "git fetch",
        "git fetch",
        "git push",
      ].sort(),
    );
    const warm = await counted(() =>
      commitFiles(repo.client, repo.name, { message: "two", author, files: { "src/lib/x.ts": "x2\n" } }),
    );
    expect(warm.sent).toEqual(["git ls-refs", "git push"]);
    expect(await show(repo.name, "main:src/lib/x.ts")).toBe("x2\n");
    await disposeGit(repo.client);
  });

  it("keeps what another writer pushed meanwhile: a warm commit reads the new head, and git has both", async () => {
    const repo = await fiftyFiles();
    const target = { remote: repo.remote, token: repo.token };
    const first = (
      await commitFiles(target, { message: "mine", author, files: { "src/lib/x.ts": "mine\n" } })
    )._unsafeUnwrap();
    // Another writer: the git CLI clones, commits in the same folder and pushes.
    const work = await tempDir();
    expect((await gitCli(withBearer(repo.token, ["clone", "--quiet", repo.remote, work]))).code).toBe(0);
    await import("node:fs/promises").then((fs) => fs.writeFile(join(work, "src/lib/theirs.ts"), "theirs\n"));
    await gitCli(["add", "-A"], work);
    await gitCli(
      ["-c", "user.name=Other", "-c", "user.email=o@example.com", "commit", "--quiet", "-m", "theirs"],
      work,
    );
    expect((await gitCli(withBearer(repo.token, ["push", "--quiet", "origin", "main"]), work)).code).toBe(0);
    const theirs = (await git(repo.name, ["rev-parse", "main"])).trim();

    const warm = await counted(() =>
      commitFiles(target, { message: "mine again", author, files: { "src/y.ts": "y2\n" } }),
    );
    expect(warm.value._unsafeUnwrap()).toMatchObject({ parent: theirs, unchanged: false });
    expect(warm.value._unsafeUnwrap().parent).not.toBe(first.commit);
    // The new head's commit and trees are not the target's: fetched, as a first call would.
    expect(warm.sent).toEqual(["git ls-refs", "git fetch", "git fetch", "git push"]);
    expect(await git(repo.name, ["log", "--format=%s", "main"])).toBe("mine again\ntheirs\nmine\nseed\n");
    expect(await show(repo.name, "main:src/lib/theirs.ts")).toBe("theirs\n");
    expect(await show(repo.name, "main:src/lib/x.ts")).toBe("mine\n");
    expect(await show(repo.name, "main:src/y.ts")).toBe("y2\n");
    expect((await git(repo.name, ["fsck", "--strict", "--no-dangling"])).trim()).toBe("");
  });

  it("never lets a cached object answer for other bytes: content changed after a call is not what it kept", async () => {
    const repo = await fiftyFiles();
    const target = { remote: repo.remote, token: repo.token };
    const bytes = new TextEncoder().encode("first\n");
    (await commitFiles(target, { message: "one", author, files: { "src/lib/b.bin": bytes } }))._unsafeUnwrap();
    bytes.set(new TextEncoder().encode("XXXXX\n"));
    (await commitFiles(target, { message: "two", author, files: { "src/lib/c.bin": "c\n" } }))._unsafeUnwrap();
    const read = (await readFiles(target, { paths: ["src/lib/b.bin", "src/lib/c.bin"] }))._unsafeUnwrap();
    expect(new TextDecoder().decode(read.files.get("src/lib/b.bin"))).toBe("first\n");
    expect(await show(repo.name, "main:src/lib/b.bin")).toBe("first\n");
    // What a read handed over is the caller's to change: the next read still has the blob's own bytes.
    read.files.get("src/lib/b.bin")?.fill(0x58);
    const again = (await readFiles(target, { paths: ["src/lib/b.bin"] }))._unsafeUnwrap();
    expect(new TextDecoder().decode(again.files.get("src/lib/b.bin"))).toBe("first\n");
    // The mutated bytes, committed, are a blob of their own id.
    (await commitFiles(target, { message: "three", author, files: { "src/lib/b.bin": bytes } }))._unsafeUnwrap();
    expect(await show(repo.name, "main:src/lib/b.bin")).toBe("XXXXX\n");
    expect((await git(repo.name, ["fsck", "--strict", "--no-dangling"])).trim()).toBe("");
  });

  it("replaces a kept token the remote refuses (revoked meanwhile) with one minted anew, and the call lands", async () => {
    const repo = await fiftyFiles();
    const id = local.server.state.findRepo("default", repo.name)?.id;
    const tokens = () => [...local.server.state.tokens.values()].filter((token) => token.repoId === id);
    const before = tokens().length;
    const minted = () => tokens().slice(before);
    (await commitFiles(repo.client, repo.name, { message: "one", author, files: { a: "1" } }))._unsafeUnwrap();
    const [kept] = minted();
    (await deleteToken(local.client, kept?.id ?? ""))._unsafeUnwrap();

    const heard: string[] = [];
    const again = await counted(() =>
      commitFiles(
        repo.client,
        repo.name,
        { message: "two", author, files: { a: "2" } },
        { debug: (l) => heard.push(l) },
      ),
    );
    expect(again.value._unsafeUnwrap().unchanged).toBe(false);
    expect(heard).toContain("the Git remote refused the call's token: sending the request again with a new one");
    // The refused request, the revocation of the refused token, the mint, the same request again.
    expect(again.sent.slice(0, 4).sort()).toEqual(
      ["git ls-refs", `REST DELETE tokens/${kept?.id}`, "REST POST tokens", "git ls-refs"].sort(),
    );
    expect(await show(repo.name, "main:a")).toBe("2");
    expect(minted().map((token) => [token.scope, token.revoked])).toEqual([
      ["write", true],
      ["write", false],
    ]);
    await disposeGit(repo.client);
    expect(minted().every((token) => token.revoked)).toBe(true);
  });

  it("asks a token function again when the remote refuses what it gave, and the call lands", async () => {
    const repo = await fiftyFiles();
    const stale = (await createToken(local.client, { repo: repo.name, scope: "write" }))._unsafeUnwrap();
    (await deleteToken(local.client, stale.id))._unsafeUnwrap();
    const given = [stale.plaintext, repo.token];
    let asked = 0;
    const target = { remote: repo.remote, token: () => given[Math.min(asked++, 1)] as string };
    const made = await counted(() => commitFiles(target, { message: "one", author, files: { a: "1" } }));
    expect(made.value._unsafeUnwrap().unchanged).toBe(false);
    expect(asked).toBe(2);
    expect(made.sent.slice(0, 2)).toEqual(["git caps", "git caps"]);
    expect(await show(repo.name, "main:a")).toBe("1");
  });
});

describe("reads, refs, diff and merge, counted", () => {
  it("readFiles of one path: 6 on { remote, token } first (the floor, 5, and capabilities), 1 again with nothing moved; 2 by REST on a client", async () => {
    const repo = await fiftyFiles();
    const target = { remote: repo.remote, token: repo.token };
    const cold = await counted(() => readFiles(target, { paths: ["src/lib/x.ts"] }));
    // The commit with its root tree, `src/`, `src/lib/`, the blob.
    expect(cold.sent).toEqual(["git caps", "git ls-refs", "git fetch", "git fetch", "git fetch", "git fetch"]);
    const warm = await counted(() => readFiles(target, { paths: ["src/lib/x.ts"] }));
    expect(warm.sent).toEqual(["git ls-refs"]);
    expect(new TextDecoder().decode(warm.value._unsafeUnwrap().files.get("src/lib/x.ts"))).toBe("x\n");

    const rest = await counted(() => readFiles(repo.client, repo.name, { ref: "main", paths: ["src/lib/x.ts"] }));
    expect(rest.sent).toEqual([`REST GET repos/${repo.name}/log`, `REST GET repos/${repo.name}/file`]);
    const read = rest.value._unsafeUnwrap();
    expect(read.commit).toBe((await git(repo.name, ["rev-parse", "main"])).trim());
    expect(new TextDecoder().decode(read.files.get("src/lib/x.ts"))).toBe(await show(repo.name, "main:src/lib/x.ts"));
  });

  it("listRefs: 2 first, 1 after; createBranch: 3 first, 2 after", async () => {
    const repo = await fiftyFiles();
    const target = { remote: repo.remote, token: repo.token };
    expect((await counted(() => listRefs(target))).sent).toEqual(["git caps", "git ls-refs"]);
    expect((await counted(() => listRefs(target))).sent).toEqual(["git ls-refs"]);
    const other = { ...target };
    const cold = await counted(() => createBranch(other, { name: "a", from: "main" }));
    expect(cold.sent).toEqual(["git caps", "git ls-refs", "git push"]);
    const warm = await counted(() => createBranch(other, { name: "b", from: "a" }));
    expect(warm.sent).toEqual(["git ls-refs", "git push"]);
    const main = (await git(repo.name, ["rev-parse", "main"])).trim();
    expect(await git(repo.name, ["for-each-ref", "--format=%(refname) %(objectname)", "refs/heads"])).toBe(
      `refs/heads/a ${main}\nrefs/heads/b ${main}\nrefs/heads/main ${main}\n`,
    );
  });

  it("diffRefs of a one-file change: 5 first (the floor, 4, and capabilities)", async () => {
    const repo = await fiftyFiles();
    const target = { remote: repo.remote, token: repo.token };
    (await createBranch(target, { name: "before", from: "main" }))._unsafeUnwrap();
    (await commitFiles(target, { message: "one", author, files: { "src/lib/x.ts": "x1\n" } }))._unsafeUnwrap();
    const fresh = { ...target };
    const diff = await counted(() => diffRefs(fresh, { from: "before", to: "main" }));
    // Both refs; both commits with their root trees; `src/` of both; `src/lib/` of both.
    expect(diff.sent).toEqual(["git caps", "git ls-refs", "git fetch", "git fetch", "git fetch"]);
    expect(diff.value._unsafeUnwrap().changes.map(({ path, status }) => `${status} ${path}`)).toEqual([
      "modified src/lib/x.ts",
    ]);
    expect(await git(repo.name, ["diff", "--name-status", "before", "main"])).toBe("M\tsrc/lib/x.ts\n");
  });

  it("mergeRefs, three-way, one file changed on each side: 7 first (the floor, 6, and capabilities)", async () => {
    const repo = await fiftyFiles();
    const target = { remote: repo.remote, token: repo.token };
    (
      await commitFiles(target, { message: "side", author, branch: "side", from: "main", files: { "src/y.ts": "s\n" } })
    )._unsafeUnwrap();
    (await commitFiles(target, { message: "main", author, files: { "src/lib/x.ts": "m\n" } }))._unsafeUnwrap();
    const fresh = { ...target };
    const merged = await counted(() => mergeRefs(fresh, { from: "side", into: "main", author, message: "merge" }));
    expect(merged.value._unsafeUnwrap()).toMatchObject({ fastForward: false, changed: ["src/y.ts"] });
    // Both heads; the history to the base (no trees); the three root trees; `src/` of all three; `src/lib/`.
    expect(merged.sent).toEqual([
      "git caps",
      "git ls-refs",
      "git fetch",
      "git fetch",
      "git fetch",
      "git fetch",
      "git push",
    ]);
    expect(await show(repo.name, "main:src/y.ts")).toBe("s\n");
    expect(await show(repo.name, "main:src/lib/x.ts")).toBe("m\n");
    expect(await git(repo.name, ["log", "--format=%p", "-1", "main"])).toMatch(/^[0-9a-f]+ [0-9a-f]+\n$/);
  });
});

describe("the toolbox, counted", () => {
  const plain = useLocalServer({ gitFilter: false });

  /** Three commits over 50 files (96 KB of them), two of them on `src/lib/x.ts`, on the server given. */
  async function history(server: typeof local) {
    const name = `requests-${++counter}`;
    const created = (await createRepo(server.client, { name }))._unsafeUnwrap();
    const target = { remote: created.remote, token: created.token };
    const files: Record<string, string> = { "src/lib/x.ts": "x\n", "src/y.ts": "y\n" };
    for (let i = 0; i < 48; i++) files[`f${i}.txt`] = `${i}\n`.repeat(1000);
    for (const [message, changed] of [
      ["seed", files],
      ["x", { "src/lib/x.ts": "x1\n" }],
      ["y", { "src/y.ts": "y1\n" }],
    ]) {
      (
        await commitFiles(
          { ...target },
          { message: message as string, author, files: changed as Record<string, string> },
        )
      )._unsafeUnwrap();
    }
    return target;
  }

  it.each([
    ["with filter", local],
    ["without filter", plain],
  ])(
    "listCommits of one path %s: the history once, then only the head's ref with nothing moved, in a cache smaller than the files",
    async (_, server) => {
      const target = await history(server);
      // The files would not fit in it: the walk keeps no file, even where the remote sends them all along.
      const options = { cacheBytes: 64 * 1024 };
      const cold = await counted(() => listCommits(target, { paths: ["src/lib/x.ts"] }, options));
      expect(cold.value._unsafeUnwrap().commits.map(({ message }) => message)).toEqual(["x\n", "seed\n"]);
      expect(cold.sent).toEqual(
        server === local
          ? // the commits without trees, then the root trees, `src/`, `src/lib/` of each, level by level
            ["git caps", "git ls-refs", "git fetch", "git fetch", "git fetch", "git fetch"]
          : ["git caps", "git ls-refs", "git fetch"],
      );
      const warm = await counted(() => listCommits(target, { paths: ["src/lib/x.ts"] }, options));
      expect(warm.sent).toEqual(["git ls-refs"]);
      expect(warm.value._unsafeUnwrap()).toEqual(cold.value._unsafeUnwrap());
    },
  );
});

describe("a token given as an option, counted", () => {
  it("is used by any call instead of a minted one: listRefs and createBranch with a client mint nothing", async () => {
    const repo = await fiftyFiles();
    const { plaintext } = (await createToken(local.client, { repo: repo.name, scope: "write" }))._unsafeUnwrap();
    const listed = await counted(() => listRefs(repo.client, repo.name, { token: plaintext }));
    expect(listed.value.isOk()).toBe(true);
    expect(listed.sent.filter((request) => request.startsWith("REST"))).toEqual([`REST GET repos/${repo.name}`]);
    const branched = await counted(() =>
      createBranch(repo.client, repo.name, { name: "given", from: "main" }, { token: plaintext }),
    );
    expect(branched.value.isOk()).toBe(true);
    expect(branched.sent.filter((request) => request.includes("tokens"))).toEqual([]);
    expect((await listRefs(repo.client, repo.name, { token: "not a token" }))._unsafeUnwrapErr()).toMatchObject({
      _tag: "InvalidInputError",
      field: "token",
    });
    await disposeGit(repo.client);
  });
});
