import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commitFiles, disposeGit, readFiles } from "../../../src/git/index.js";
import type { ArtifactsRepoHandle } from "../../../src/git/objects/sources.js";
import {
  createClient,
  createRepo,
  createToken,
  deleteToken,
  getBlob,
  getCommit,
  getRepo,
  getTree,
} from "../../../src/index.js";
import { gitCli } from "../../support/git.js";
import { useLocalServer } from "../../support/local-server.js";

/**
 * Sources that lie are caught: a tree whose entries do not hash to its id, a commit whose fields do not rebuild it,
 * an unknown shape, an error, a throw. The call moves on to its next source and lands the right commit, judged by
 * git. On our server without `filter`, so the last resort is the whole head; with a handle shaped as the binding's
 * (its answers made from our REST routes, in the shapes Cloudflare's simulator gives).
 */

const author = { name: "Ada Agent", email: "ada@example.com", timestamp: 1_764_000_000, timezoneOffset: 0 };
const local = useLocalServer({ gitFilter: false });

const git = async (repo: string, args: string[]) => {
  const dir = join(local.server.dataDir, `${local.server.state.findRepo("default", repo)?.id}.git`);
  return (await gitCli(["--git-dir", dir, ...args])).stdout;
};

type Lies = Partial<Pick<ArtifactsRepoHandle, "readCommit" | "readTree" | "readBlob">>;

/** A repo handle as the binding's, answered from the REST routes; `lies` replace its read methods. */
function handle(repo: string, lies: Lies = {}): ArtifactsRepoHandle & { revoked: string[] } {
  const revoked: string[] = [];
  return {
    revoked,
    async info() {
      const found = (await getRepo(local.client, repo))._unsafeUnwrap();
      return { remote: found.remote, defaultBranch: found.default_branch };
    },
    async createToken(scope = "write", ttl = 86_400) {
      return (await createToken(local.client, { repo, scope, ttl }))._unsafeUnwrap();
    },
    async revokeToken(id: string) {
      revoked.push(id);
      return (await deleteToken(local.client, id)).isOk();
    },
    async readCommit(hash: string) {
      const commit = (await getCommit(local.client, repo, hash)).unwrapOr(null) as Record<string, never> | null;
      if (!commit) return null;
      const at = (who: { date: string } | undefined) => Date.parse(who?.date ?? "") / 1000;
      return { ...commit, treeHash: commit.tree, authoredAt: at(commit.author), committedAt: at(commit.committer) };
    },
    async readTree(hash: string) {
      const entries = (await getTree(local.client, repo, hash)).unwrapOr(null) as { mode: string }[] | null;
      return entries?.map((entry) => ({ ...entry, mode: entry.mode.replace(/^0/, "") })) ?? null;
    },
    async readBlob(hash: string) {
      const bytes = (await getBlob(local.client, repo, hash)).unwrapOr(null);
      return bytes ? new Blob([bytes as Uint8Array<ArrayBuffer>]) : null;
    },
    ...lies,
  };
}

async function seeded(name: string) {
  (await createRepo(local.client, { name }))._unsafeUnwrap();
  return (
    await commitFiles(local.client, name, {
      message: "seed",
      author,
      files: { "a/b/c.txt": "c", "a/d.txt": "d", "e.txt": "e" },
    })
  )._unsafeUnwrap();
}

/** Commits `a/b/x.txt` through `target`, what it says through `debug` kept in `notes`. */
async function commitOne(target: ArtifactsRepoHandle, notes: string[]) {
  const input = { message: "two", author, files: { "a/b/x.txt": "x" } };
  return (await commitFiles(target, input, { debug: (note) => notes.push(note) }))._unsafeUnwrap();
}

describe("objects from a source", () => {
  it("come from the handle when it tells the truth: no whole-head fetch, one token minted and revoked through it", async () => {
    const base = await seeded("truthful");
    const notes: string[] = [];
    const target = handle("truthful");
    const made = await commitOne(target, notes);
    expect(made).toMatchObject({ parent: base.commit, branch: "main", unchanged: false });
    expect(notes).toEqual([]);
    expect(await git("truthful", ["diff-tree", "-r", "--name-status", base.commit, made.commit])).toBe(
      "A\ta/b/x.txt\n",
    );
    const read = (await readFiles(target, { paths: ["a/b/"] }, { debug: (n) => notes.push(n) }))._unsafeUnwrap();
    expect([...read.files.keys()].sort()).toEqual(["a/b/c.txt", "a/b/x.txt"]);
    expect(notes).toEqual([]);
    // The commit's write token served the read, and lives until the handle is disposed.
    expect(target.revoked).toHaveLength(0);
    await disposeGit(target);
    expect(target.revoked).toHaveLength(1);
    const id = local.server.state.findRepo("default", "truthful")?.id;
    // Less the inline token and the seeding commit's: the handle's one, short-lived and revoked.
    const minted = [...local.server.state.tokens.values()].filter((token) => token.repoId === id).slice(2);
    expect(minted.map((token) => [token.scope, token.revoked])).toEqual([["write", true]]);
    for (const token of minted)
      expect(token.expires * 1000 - Date.parse(token.created_at)).toBeLessThanOrEqual(600_000);
  });

  it.each<[string, Lies]>([
    [
      "a tree whose entries do not hash to its id",
      {
        async readTree() {
          return [{ name: "e.txt", mode: "100644", hash: "1".repeat(40), type: "blob" }];
        },
      },
    ],
    ["an unknown shape", { readTree: async () => ({ entries: "nope" }), readCommit: async () => ({ id: 1 }) }],
    [
      "a commit whose fields do not rebuild it",
      {
        async readCommit(hash: string) {
          return {
            hash,
            treeHash: "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
            parents: [],
            message: "x",
            author,
            committer: author,
            authoredAt: 1,
            committedAt: 1,
          };
        },
      },
    ],
    [
      "errors and throws",
      {
        readCommit: () => Promise.reject(new Error("500 from the binding")),
        readTree: () => Promise.reject(new Error("500 from the binding")),
        readBlob: () => Promise.reject(new Error("500 from the binding")),
      },
    ],
  ])("are checked: %s is caught and the right commit lands", async (lie, lies) => {
    const name = `lies-${lie.length}`;
    const base = await seeded(name);
    const notes: string[] = [];
    const target = handle(name, lies);
    const made = await commitOne(target, notes);
    expect(await git(name, ["diff-tree", "-r", "--name-status", base.commit, made.commit])).toBe("A\ta/b/x.txt\n");
    expect(await git(name, ["ls-tree", "-r", "--name-only", made.commit])).toBe(
      "a/b/c.txt\na/b/x.txt\na/d.txt\ne.txt\n",
    );
    expect(notes.some((note) => note.startsWith("the binding: "))).toBe(true);
    const read = (await readFiles(target, { paths: ["e.txt", "a/b/x.txt"] }))._unsafeUnwrap();
    expect(new TextDecoder().decode(read.files.get("e.txt"))).toBe("e");
    expect(new TextDecoder().decode(read.files.get("a/b/x.txt"))).toBe("x");
  });

  it("the REST routes answering 500 for trees: the local.client form still lands the right commit", async () => {
    const base = await seeded("rest-500");
    const failing = createClient({
      ...local.server.clientOptions,
      retry: 0,
      fetch: (input: RequestInfo | URL, init?: RequestInit) => {
        const request = new Request(input, init);
        if (/\/(tree|commit)\//.test(request.url)) return Promise.resolve(new Response("{}", { status: 500 }));
        return fetch(request);
      },
    });
    const made = (
      await commitFiles(failing, "rest-500", { message: "two", author, files: { "e.txt": "E" } })
    )._unsafeUnwrap();
    expect(await git("rest-500", ["diff-tree", "-r", "--name-status", base.commit, made.commit])).toBe("M\te.txt\n");
  });
});

describe("maxFetchBytes", () => {
  it("ends an oversized fetch with a GitError saying so, and pushes nothing", async () => {
    const base = await seeded("bounded");
    const big = randomBytes(256 * 1024); // incompressible: the pack holds all of it
    (await commitFiles(local.client, "bounded", { message: "big", author, files: { "big.bin": big } }))._unsafeUnwrap();
    const head = (await git("bounded", ["rev-parse", "main"])).trim();
    const remote = (await getRepo(local.client, "bounded"))._unsafeUnwrap().remote;
    const token = (await createToken(local.client, { repo: "bounded", scope: "write" }))._unsafeUnwrap().plaintext;
    // { remote, token } on a remote without filter: the head comes whole, which is more than 64 KiB.
    const result = await commitFiles(
      { remote, token },
      { message: "no", author, files: { "small.txt": "s" } },
      { maxFetchBytes: 64 * 1024 },
    );
    const error = result._unsafeUnwrapErr();
    expect(error).toMatchObject({ _tag: "GitError", reason: "protocol", maxFetchBytes: 65_536 });
    expect(error.message).toBe("the Git remote sent more than maxFetchBytes (65536 bytes) for git-upload-pack");
    expect((await git("bounded", ["rev-parse", "main"])).trim()).toBe(head);
    expect(head).not.toBe(base.commit);
    const read = await readFiles({ remote, token }, {}, { maxFetchBytes: 64 * 1024 });
    expect(read._unsafeUnwrapErr()).toMatchObject({ _tag: "GitError", maxFetchBytes: 65_536 });
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const refused = await readFiles({ remote, token }, {}, { maxFetchBytes: bad });
      expect(refused._unsafeUnwrapErr()).toMatchObject({ _tag: "InvalidInputError", field: "maxFetchBytes" });
    }
  });
});
