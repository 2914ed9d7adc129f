import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitFiles, readFiles } from "../../src/git/index.js";
import {
  type Client,
  createClient,
  createNamespace,
  createRepo,
  createToken,
  deleteRepo,
  forkRepo,
  getCommit,
  getLog,
  getNamespace,
  getRepo,
  importRepo,
  listRepos,
  listTokens,
} from "../../src/index.js";
import { type ArtifactsServer, startArtifactsServer } from "../../src/testing/index.js";
import { sourceOf } from "../../src/testing/repos.js";
import { gitCli, removeTempDirs, tempDir, withBearer } from "../support/git.js";
import { untilRegistered } from "../support/until.js";

/**
 * Issue 13: the local server's isolation, its fidelity to what the docs (and the binding) say, and a data folder
 * that persists. Git is judged by the git CLI.
 */

let server: ArtifactsServer;
let client: Client;
const author = { name: "Ada", email: "ada@example.com" };
let counter = 0;
const unique = (prefix: string) => `${prefix}-${++counter}`;

beforeAll(async () => {
  server = await startArtifactsServer({ operationDelayMs: 200, gitRateLimit: { requests: 1000, windowMs: 60_000 } });
  client = createClient({ ...server.clientOptions, retry: 0 });
});
afterAll(async () => {
  await server.close();
  await removeTempDirs();
});

/** A repo with `main` (two commits) and `feature` (one more, its own file). */
async function twoBranches() {
  const name = unique("src");
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
function withSecret(remote: string, token: string): URL {
  const url = new URL(remote);
  url.username = "x";
  url.password = token.split("?")[0] as string;
  return url;
}

const readToken = async (repo: string) =>
  (await createToken(client, { repo, scope: "read", ttl: 600 }))._unsafeUnwrap().plaintext;

describe("isolation", () => {
  it("gives git children no inherited GIT_* variables: an empty repo's log is not the host's", async () => {
    const host = await tempDir();
    await gitCli(["init", "--quiet", "-b", "main", host]);
    await writeFile(join(host, "host.txt"), "host");
    await gitCli(["add", "-A"], host);
    await gitCli(["commit", "--quiet", "-m", "the host's own commit"], host);
    const name = unique("empty");
    await createRepo(client, { name });
    const saved = { GIT_DIR: process.env.GIT_DIR, GIT_WORK_TREE: process.env.GIT_WORK_TREE };
    process.env.GIT_DIR = join(host, ".git");
    process.env.GIT_WORK_TREE = host;
    try {
      const log = await getLog(client, name);
      expect(log._unsafeUnwrapErr()).toMatchObject({ _tag: "HttpError", status: 404, code: 10200 });
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it("forks only what the forked branches reach: another branch's objects cannot be had by id", async () => {
    const source = await twoBranches();
    const name = unique("fork");
    const fork = (await forkRepo(client, source.name, { name }))._unsafeUnwrap();
    // Over protocol v2, by id:
    const clone = await tempDir();
    await gitCli(["init", "--quiet", "--bare", clone]);
    const fetched = await gitCli(
      withBearer(fork.token, ["-C", clone, "fetch", "--quiet", fork.remote, source.feature]),
    );
    expect(fetched.code).not.toBe(0);
    const main = await gitCli(withBearer(fork.token, ["-C", clone, "fetch", "--quiet", fork.remote, source.main]));
    expect(main.code).toBe(0);
    // Over dumb HTTP, by path:
    const loose = await fetch(`${fork.remote}/objects/${source.feature.slice(0, 2)}/${source.feature.slice(2)}`, {
      headers: { authorization: `Bearer ${fork.token}` },
    });
    expect(loose.status).toBe(404);
    // Through the content routes:
    expect((await getCommit(client, name, source.feature))._unsafeUnwrapErr()).toMatchObject({
      status: 404,
      code: 10200,
    });
    expect((await getCommit(client, name, source.main)).isOk()).toBe(true);
  });

  it("serves smart HTTP only: HEAD, objects and a bare info/refs are 404", async () => {
    const { repo } = await twoBranches();
    const token = await readToken(repo.name);
    for (const path of ["HEAD", "info/refs", "objects/info/packs", "config", "/info/refs?service=git-upload-pack"]) {
      const response = await fetch(`${repo.remote}/${path}`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status, path).toBe(404);
    }
  });

  it("refuses a repeated service, which would have given a read token the push advertisement", async () => {
    const { repo } = await twoBranches();
    const token = await readToken(repo.name);
    const headers = { authorization: `Bearer ${token}` };
    const both = await fetch(`${repo.remote}/info/refs?service=git-upload-pack&service=git-receive-pack`, { headers });
    expect(both.status).toBe(400);
    expect(await both.text()).not.toContain("receive-pack");
    const push = await fetch(`${repo.remote}/info/refs?service=git-receive-pack`, { headers });
    expect(push.status).toBe(403);
    const read = await fetch(`${repo.remote}/info/refs?service=git-upload-pack`, { headers });
    expect(read.status).toBe(200);
  });

  it("acts on the repo a fork started with: a fork finishing after its target was deleted and re-made leaves the new repo", async () => {
    const source = await twoBranches();
    const name = unique("race");
    const forking = forkRepo(client, source.name, { name });
    await untilRegistered(server, name);
    expect((await deleteRepo(client, name)).isOk()).toBe(true);
    const again = (await createRepo(client, { name }))._unsafeUnwrap();
    const fork = await forking;
    expect(fork._unsafeUnwrapErr()).toMatchObject({ _tag: "HttpError", status: 404 });
    const now = (await getRepo(client, name))._unsafeUnwrap();
    expect(now.id).toBe(again.id);
    // Its folder is whole: the data plane commits to it.
    expect((await commitFiles(client, name, { message: "x", author, files: { x: "x" } })).isOk()).toBe(true);
    const dirs = (await readdir(server.dataDir)).filter((dir) => dir.endsWith(".git"));
    const ids = [...(server.state.namespaces.get("default")?.repos.values() ?? [])].map((repo) => `${repo.id}.git`);
    expect(dirs.sort()).toEqual(ids.sort());
  });

  it("leaves no orphan folder when creates and deletes of one name race", async () => {
    const name = unique("churn");
    for (let round = 0; round < 25; round++) {
      await Promise.all([createRepo(client, { name }), deleteRepo(client, name)]);
    }
    await deleteRepo(client, name);
    const dirs = (await readdir(server.dataDir)).filter((dir) => dir.endsWith(".git"));
    const ids = [...(server.state.namespaces.get("default")?.repos.values() ?? [])].map((repo) => `${repo.id}.git`);
    expect(dirs.sort()).toEqual(ids.sort());
  });

  it("answers 404 for an empty path part in a Git URL", async () => {
    const { repo } = await twoBranches();
    const token = await readToken(repo.name);
    const response = await fetch(`${repo.remote}//info/refs?service=git-upload-pack`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(404);
  });

  it.each([
    "x.lock",
    "a/b.lock",
    "a..b",
    "a//b",
    "a/.b",
    "a/",
    "a.",
    "-x",
    "a b",
    "a~1",
    "a^",
    "a:b",
    "a?",
    "a*",
    "a[",
    "a\\b",
  ])("refuses default_branch %j as git would (10100)", async (branch) => {
    const result = await createRepo(client, { name: unique("branch"), default_branch: branch });
    expect(result._unsafeUnwrapErr()).toMatchObject({ status: 400, code: 10100 });
    const git = await gitCli(["check-ref-format", "--branch", branch]);
    expect(git.code).not.toBe(0);
  });

  it("keeps no credentials of an import source, on disk or in source", async () => {
    const source = await twoBranches();
    const url = withSecret(source.repo.remote, await readToken(source.name));
    const name = unique("imp");
    (await importRepo(client, name, { url: url.href }))._unsafeUnwrap();
    const record = server.state.findRepo("default", name);
    const config = await readFile(join(server.dataDir, `${record?.id}.git`, "config"), "utf8");
    expect(config).not.toContain(url.password);
    expect((await getRepo(client, name))._unsafeUnwrap().source).toBe(source.repo.remote);
  });
});

describe("fidelity to the binding's documented defaults", () => {
  it("imports the remote's default branch only when no branch is given", async () => {
    const source = await twoBranches();
    const token = await readToken(source.name);
    const url = withSecret(source.repo.remote, token);
    const name = unique("imp");
    const imported = (await importRepo(client, name, { url: url.href }))._unsafeUnwrap();
    const heads = await gitCli(withBearer(imported.token, ["ls-remote", "--heads", imported.remote]));
    expect(
      heads.stdout
        .trim()
        .split("\n")
        .map((line) => line.split("\t")[1]),
    ).toEqual(["refs/heads/main"]);
  });

  it("names sources as the binding does: artifacts:<namespace>/<repo>, github:owner/repo, else the URL", async () => {
    const source = await twoBranches();
    const name = unique("fork");
    await forkRepo(client, source.name, { name });
    expect((await getRepo(client, name))._unsafeUnwrap().source).toBe(`artifacts:default/${source.name}`);
    expect(sourceOf(new URL("https://github.com/sindresorhus/ky.git"))).toBe("github:sindresorhus/ky");
    expect(sourceOf(new URL("https://github.com/sindresorhus/ky"))).toBe("github:sindresorhus/ky");
    expect(sourceOf(new URL("https://user:pw@gitlab.com/group/project.git"))).toBe(
      "https://gitlab.com/group/project.git",
    );
  });

  it("shows a repo being imported as importing in listings, then ready", async () => {
    const source = await twoBranches();
    const token = await readToken(source.name);
    const url = withSecret(source.repo.remote, token);
    const name = unique("imp");
    const importing = importRepo(client, name, { url: url.href });
    await untilRegistered(server, name);
    const [during] = (await listRepos(client, { search: name }))._unsafeUnwrap();
    expect(during.map((repo) => repo.status)).toEqual(["importing"]);
    await importing;
    const [after] = (await listRepos(client, { search: name }))._unsafeUnwrap();
    expect(after.map((repo) => repo.status)).toEqual(["ready"]);
  });

  it("serves blobless clones and protocol v2 to the git CLI", async () => {
    const { repo } = await twoBranches();
    const token = await readToken(repo.name);
    const clone = await tempDir();
    const result = await gitCli(
      withBearer(token, ["-c", "protocol.version=2", "clone", "--quiet", "--filter=blob:none", repo.remote, clone]),
    );
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain("filtering not recognized");
    expect((await gitCli(["config", "remote.origin.promisor"], clone)).stdout.trim()).toBe("true");
  });
});

describe("a data folder that persists", () => {
  it("keeps repos (same ids), tokens (hashes only), namespaces and content across a restart", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "artifacts-persist-"));
    try {
      const first = await startArtifactsServer({ dataDir, apiToken: "persist-token" });
      const one = createClient({ ...first.clientOptions, retry: 0 });
      const repo = (await createRepo(one, { name: "kept", description: "d" }))._unsafeUnwrap();
      const made = (
        await commitFiles(one, "kept", { message: "m", author, files: { "k.txt": "kept" } })
      )._unsafeUnwrap();
      const token = (await createToken(one, { repo: "kept", scope: "read", ttl: 3600 }))._unsafeUnwrap();
      await createNamespace(one, { namespace: "eu-space", jurisdiction: "eu" });
      await first.close();
      const saved = await readFile(join(dataDir, "state.json"), "utf8");
      expect(saved).not.toContain(token.plaintext.split("?")[0]);
      expect(saved).not.toContain(repo.token.split("?")[0]);

      // A kill mid-write leaves a temporary file, never a broken state.json.
      await writeFile(join(dataDir, "state.json.999.1.tmp"), '{"version":1,"namesp');
      const second = await startArtifactsServer({ dataDir, apiToken: "persist-token", port: 0 });
      try {
        const two = createClient({ ...second.clientOptions, retry: 0 });
        expect((await getRepo(two, "kept"))._unsafeUnwrap()).toMatchObject({ id: repo.id, description: "d" });
        const read = (await readFiles(two, "kept", { token: token.plaintext }))._unsafeUnwrap();
        expect(read.commit).toBe(made.commit);
        expect(new TextDecoder().decode(read.files.get("k.txt"))).toBe("kept");
        const [tokens] = (await listTokens(two, "kept"))._unsafeUnwrap();
        expect(tokens.map((listed) => listed.id)).toContain(token.id);
        expect((await getNamespace(two, "eu-space"))._unsafeUnwrap()).toMatchObject({ jurisdiction: "eu" });
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("drops an import or fork that a stop cut off, with its folder", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "artifacts-persist-"));
    try {
      const first = await startArtifactsServer({ dataDir });
      await createRepo(createClient({ ...first.clientOptions, retry: 0 }), { name: "whole" });
      await first.close();
      const state = JSON.parse(await readFile(join(dataDir, "state.json"), "utf8"));
      const [whole] = state.namespaces[0].repos;
      state.namespaces[0].repos.push({ ...whole, id: "halfmadefork0000", name: "half", status: "forking" });
      await writeFile(join(dataDir, "state.json"), JSON.stringify(state));
      await writeFile(join(dataDir, "halfmadefork0000.git"), "half-made");
      const second = await startArtifactsServer({ dataDir, apiToken: first.apiToken });
      try {
        const two = createClient({ ...second.clientOptions, retry: 0 });
        const [repos] = (await listRepos(two))._unsafeUnwrap();
        expect(repos.map((repo) => repo.name)).toEqual(["whole"]);
        expect(await readdir(dataDir)).not.toContain("halfmadefork0000.git");
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe("the command", () => {
  const run = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", "src/testing/cli.ts", ...args], {
        cwd: join(import.meta.dirname, "../.."),
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk) => (stdout += chunk));
      child.stderr.on("data", (chunk) => (stderr += chunk));
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });

  it("prints usage naming every flag for --help, and exits 0", async () => {
    const { code, stdout } = await run(["--help"]);
    expect(code).toBe(0);
    for (const flag of [
      "--port",
      "--account-id",
      "--api-token",
      "--data-dir",
      "--delay",
      "--max-body-bytes",
      "--rate-limit",
      "--git-rate-limit",
      "--help",
    ]) {
      expect(stdout).toContain(flag);
    }
  });

  it("prints usage for an unknown flag or a bad value, and exits 2, without a stack trace", async () => {
    for (const args of [["--nope"], ["--port", "eighty"], ["--rate-limit", "5"]]) {
      const { code, stderr } = await run(args);
      expect(code, args.join(" ")).toBe(2);
      expect(stderr).toContain("Usage: cloudflare-artifacts-server");
      expect(stderr).not.toMatch(/\n\s+at /);
    }
  });
});
