import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { commitFiles } from "../../src/git/index.js";
import { type Client, createRepo, createToken, getRepo } from "../../src/index.js";

/**
 * Repos of a known shape, made quickly with `git fast-import` into a bare repo of their own, then pushed with the
 * git CLI to any remote: the sizes the data plane's budgets are stated for (tests and `npm run bench`).
 */
export interface RepoShape {
  /** Every file of the head: path → content. Generated, never held all at once. */
  files(): Iterable<[string, Uint8Array]>;
  count: number;
  bytes: number;
  /** A file of the head, and a folder path for new files, for one-file operations. */
  sample: string;
}

/** 2,000 files of 16 KiB of random bytes (incompressible) in 20 folders: 32 MiB at the head. */
export const wide: RepoShape = {
  count: 2000,
  bytes: 2000 * 16 * 1024,
  sample: "dir-7/file-42.bin",
  *files() {
    for (let dir = 0; dir < 20; dir++) {
      for (let file = 0; file < 100; file++) yield [`dir-${dir}/file-${file}.bin`, randomBytes(16 * 1024)];
    }
  },
};

/** 100,000 small files, folders three deep (10 × 10 × 10 folders of 100 files): about 3 MB of trees alone. */
export const deep: RepoShape = {
  count: 100_000,
  bytes: 0,
  sample: "d3/e4/f5/file-42.txt",
  *files() {
    const encoder = new TextEncoder();
    for (let d = 0; d < 10; d++)
      for (let e = 0; e < 10; e++)
        for (let f = 0; f < 10; f++)
          for (let file = 0; file < 100; file++) {
            const path = `d${d}/e${e}/f${f}/file-${file}.txt`;
            yield [path, encoder.encode(`${path}\n`)];
          }
  },
};
// Its bytes, once: the path of every file plus a newline.
deep.bytes = [...deep.files()].reduce((sum, [, content]) => sum + content.byteLength, 0);

/**
 * One file, at `path`: the fixed cost of a call on a remote. At the path another shape's calls use, the same call
 * reads the same folders, so what differs is only what the repo holds.
 */
export function single(path = "a.txt"): RepoShape {
  return {
    count: 1,
    bytes: 6,
    sample: path,
    *files() {
      yield [path, new TextEncoder().encode("hello\n")];
    },
  };
}

const env = { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" };

function git(args: string[], input?: (write: (chunk: Uint8Array | string) => void) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile("git", args, { env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      error ? reject(new Error(`git ${args.join(" ")}: ${stderr}`)) : resolve(stdout),
    );
    child.stdin?.on("error", () => {});
    if (input) input((chunk) => child.stdin?.write(chunk));
    child.stdin?.end();
  });
}

/** A bare repo holding `shape` as the one commit of `main`. */
export async function makeRepo(shape: RepoShape): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "artifacts-shape-"));
  await git(["init", "--quiet", "--bare", dir]);
  const message = "seed\n";
  await git(["--git-dir", dir, "fast-import", "--quiet", "--done"], (write) => {
    write(
      `commit refs/heads/main\ncommitter Seed <seed@example.com> 1764000000 +0000\ndata ${message.length}\n${message}`,
    );
    for (const [path, content] of shape.files()) {
      write(`M 100644 inline ${path}\ndata ${content.byteLength}\n`);
      write(content);
      write("\n");
    }
    write("done\n");
  });
  return dir;
}

/** Pushes `main` of a bare repo to a remote with a repo token, as the git CLI does. */
export async function pushRepo(dir: string, remote: string, token: string): Promise<void> {
  await git([
    "-c",
    `http.extraHeader=Authorization: Bearer ${token}`,
    "--git-dir",
    dir,
    "push",
    "--quiet",
    remote,
    "main",
  ]);
}

/** A repo with `main` (one commit, a.txt) and `feature` (one more, its own secret.txt), by the data plane. */
export async function twoBranchRepo(client: Client, name: string) {
  const author = { name: "Ada", email: "ada@example.com" };
  await createRepo(client, { name });
  const main = (await commitFiles(client, name, { message: "m", author, files: { "a.txt": "a" } }))._unsafeUnwrap();
  const feature = (
    await commitFiles(client, name, {
      message: "f",
      author,
      files: { "secret.txt": "only on feature" },
      branch: "feature",
      from: "main",
    })
  )._unsafeUnwrap();
  const repo = (await getRepo(client, name))._unsafeUnwrap();
  return { name, repo, main: main.commit, feature: feature.commit };
}

/** The remote with the token's secret in it, as an import source that needs credentials. */
export function withSecret(remote: string, token: string): URL {
  const url = new URL(remote);
  url.username = "x";
  url.password = token.split("?")[0] as string;
  return url;
}

/** A read token for the repo, ten minutes long. */
export const readToken = async (client: Client, repo: string) =>
  (await createToken(client, { repo, scope: "read", ttl: 600 }))._unsafeUnwrap().plaintext;
