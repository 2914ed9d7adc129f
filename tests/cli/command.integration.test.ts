import { execFile, spawn } from "node:child_process";
import { open, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFiles } from "../../src/git/index.js";
import { type Client, createClient, getRepo } from "../../src/index.js";
import { type ArtifactsServer, startArtifactsServer } from "../../src/testing/index.js";
import { buildPackage } from "../support/build.js";
import { gitCli, removeTempDirs, tempDir } from "../support/git.js";

/**
 * The `cloudflare-artifacts` command, built, run as a user runs it: a child process against the local server in
 * this process (always asynchronously: a synchronous child would block the server that must answer it).
 */

const root = join(import.meta.dirname, "../..");
let bin: string;
let server: ArtifactsServer;
let client: Client;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  // The command as built from the sources now: the test never runs a stale build.
  bin = join(await buildPackage("cli"), "cli/main.js");
  server = await startArtifactsServer();
  client = createClient({ ...server.clientOptions, retry: 0 });
  env = {
    ...process.env,
    CLOUDFLARE_ACCOUNT_ID: server.accountId,
    CLOUDFLARE_API_TOKEN: server.apiToken,
    CLOUDFLARE_API_BASE_URL: server.baseUrl,
  };
}, 120_000);
afterAll(async () => {
  await server.close();
  await removeTempDirs();
});

function run(args: string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: options.env ?? env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}
const json = async (args: string[]) => {
  const result = await run([...args, "--json"]);
  expect(result.stderr, args.join(" ")).toBe("");
  expect(result.code, args.join(" ")).toBe(0);
  return JSON.parse(result.stdout);
};

describe("the command", () => {
  it("prints help at every level, naming every command, and exits 0", async () => {
    const top = await run(["--help"]);
    expect(top.code).toBe(0);
    for (const command of [
      "repos list",
      "repos import",
      "tokens revoke",
      "namespaces create",
      "files put",
      "files get",
      "files diff",
      "files merge",
      "branches list",
      "branches create",
      "branches delete",
      "files log",
      "files grep",
      "files apply",
      "files revert",
      "files cherry-pick",
      "tags list",
      "tags create",
      "tags delete",
      "credential",
      "serve",
    ]) {
      expect(top.stdout).toContain(command);
    }
    expect((await run(["repos", "--help"])).stdout).toContain("repos fork NAME NEW_NAME");
    const serve = await run(["serve", "--help"]);
    expect([serve.code, serve.stdout]).toEqual([0, expect.stringContaining("--git-rate-limit N/MS")]);
    const create = await run(["repos", "create", "--help"]);
    expect([create.code, create.stdout.split("\n")[0]]).toEqual([
      0,
      "Usage: cloudflare-artifacts repos create NAME [--description D] [--default-branch B] [--read-only]",
    ]);
  });

  it("manages repos, printing the API's result verbatim with --json", async () => {
    const made = await json(["repos", "create", "cli-notes", "--description", "d", "--default-branch", "trunk"]);
    expect(made).toMatchObject({ name: "cli-notes", description: "d", default_branch: "trunk" });
    const got = await json(["repos", "get", "cli-notes"]);
    expect(got).toEqual(JSON.parse(JSON.stringify((await getRepo(client, "cli-notes"))._unsafeUnwrap())));
    expect(await json(["repos", "list", "--search", "cli-notes"])).toEqual([got]);
    expect(await json(["repos", "list", "--all", "--limit", "1"])).toContainEqual(got);
    const table = await run(["repos", "list", "--search", "cli-notes"]);
    expect(table.stdout.split("\n")[0]).toMatch(/^name\s+default_branch\s+last_push_at/);
    expect(table.stdout).toContain("cli-notes");
    expect(await json(["repos", "delete", "cli-notes"])).toEqual({ id: made.id });
  });

  it("takes the global options anywhere on the line, before the command too", async () => {
    await json(["--namespace", "cli-away", "repos", "create", "placed"]);
    const before = await run(["--namespace", "cli-away", "--json", "repos", "list"]);
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout).map((repo: { name: string }) => repo.name)).toEqual(["placed"]);
    const between = await run(["repos", "--namespace=cli-away", "get", "placed", "--json"]);
    expect(JSON.parse(between.stdout)).toMatchObject({ name: "placed" });
    const elsewhere = await run(["repos", "get", "placed", "--json"]);
    expect(elsewhere.code).toBe(1);
    expect(await json(["repos", "delete", "placed", "--namespace", "cli-away"])).toHaveProperty("id");
  });

  it("mints, lists and revokes tokens, and forks and imports", async () => {
    await json(["repos", "create", "cli-src"]);
    const token = await json(["tokens", "create", "cli-src", "--scope", "read", "--ttl", "600"]);
    expect(token).toMatchObject({ scope: "read", plaintext: expect.stringMatching(/^art_v1_/) });
    expect(
      (await json(["tokens", "list", "cli-src", "--state", "all", "--all"])).map((t: { id: string }) => t.id),
    ).toContain(token.id);
    expect(await json(["tokens", "revoke", token.id])).toEqual({ id: token.id });
    const fork = await json(["repos", "fork", "cli-src", "cli-fork", "--all-branches"]);
    expect(fork).toMatchObject({ name: "cli-fork", objects: expect.any(Number) });
    const write = await json(["tokens", "create", "cli-src"]);
    const url = new URL((await getRepo(client, "cli-src"))._unsafeUnwrap().remote);
    url.username = "x";
    url.password = write.plaintext.split("?")[0];
    const imported = await json(["repos", "import", "cli-imported", "--url", url.href, "--wait"]);
    expect(imported).toMatchObject({ name: "cli-imported" });
  });

  it("manages namespaces", async () => {
    expect(await json(["namespaces", "create", "cli-space", "--jurisdiction", "eu"])).toMatchObject({
      namespace: "cli-space",
    });
    expect(await json(["namespaces", "get", "cli-space"])).toMatchObject({ jurisdiction: "eu" });
    expect((await json(["namespaces", "list", "--all"])).map((n: { namespace: string }) => n.namespace)).toContain(
      "cli-space",
    );
  });

  it("puts files and gets their bytes back", async () => {
    await json(["repos", "create", "cli-files"]);
    const dir = await tempDir();
    const bytes = Buffer.from([0, 1, 2, 254, 255]);
    await writeFile(join(dir, "a.bin"), bytes);
    await writeFile(join(dir, "b.md"), "# b\n");
    const made = await json([
      "files",
      "put",
      "cli-files",
      `data/a.bin=@${join(dir, "a.bin")}`,
      `b.md=@${join(dir, "b.md")}`,
      "-m",
      "from the shell",
    ]);
    expect(made).toMatchObject({ parent: null, branch: "main" });
    const got = await new Promise<Buffer>((resolve) =>
      execFile(
        process.execPath,
        [bin, "files", "get", "cli-files", "data/a.bin"],
        { env, encoding: "buffer" },
        (_, stdout) => resolve(stdout),
      ),
    );
    expect(got.equals(bytes)).toBe(true);
    expect(await json(["files", "get", "cli-files", "data/a.bin"])).toEqual({
      path: "data/a.bin",
      size: 5,
      base64: bytes.toString("base64"),
    });
    // A missing file is "not found" (1), as a missing repo or ref is; not a usage error (2).
    const missing = await run(["files", "get", "cli-files", "no/such.txt"]);
    expect([missing.code, missing.stdout, missing.stderr]).toEqual([
      1,
      "",
      expect.stringMatching(/^error: no file no\/such.txt at [0-9a-f]{40}\n$/),
    ]);
    const noRef = await run(["files", "get", "cli-files", "b.md", "--ref", "no-such-branch"]);
    expect(noRef.code).toBe(1);

    // A reader that stops early: the command ends quietly with 0, as git does, not with a stack trace.
    await writeFile(join(dir, "big.bin"), Buffer.alloc(4 * 1024 * 1024, 7));
    await json(["files", "put", "cli-files", `big.bin=@${join(dir, "big.bin")}`, "-m", "big"]);
    const piped = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(
        "bash",
        ["-c", `set -o pipefail; "${process.execPath}" "${bin}" files get cli-files big.bin | head -c 10 > /dev/null`],
        { env },
        (error, _, stderr) => resolve({ code: error ? Number(error.code) : 0, stderr }),
      ),
    );
    expect(piped).toEqual({ code: 0, stderr: "" });
  });

  it("walks history, searches, applies a patch, reverts, cherry-picks and tags", async () => {
    await json(["repos", "create", "cli-toolbox"]);
    const dir = await tempDir();
    const put = async (path: string, content: string, message: string, branch?: string) => {
      await writeFile(join(dir, "f"), content);
      return json([
        "files",
        "put",
        "cli-toolbox",
        `${path}=@${join(dir, "f")}`,
        "-m",
        message,
        ...(branch ? ["--branch", branch] : []),
      ]);
    };
    const one = await put("a.txt", "alpha\nTODO one\n", "one");
    const two = await put("b.txt", "beta\n", "two");
    const log = await json(["files", "log", "cli-toolbox", "a.txt"]);
    expect(log.commits.map((commit: { commit: string }) => commit.commit)).toEqual([one.commit]);
    const table = await run(["files", "log", "cli-toolbox", "--limit", "1"]);
    expect(table.stdout.split("\n")[1]).toMatch(
      new RegExp(`^${two.commit}\\s+\\d{4}-\\d\\d-\\d\\d \\S+\\s+cloudflare-artifacts\\s+two$`),
    );
    expect(table.stdout).toContain(`(more: --cursor ${two.commit}.1)`);
    expect((await run(["files", "grep", "cli-toolbox", "TODO"])).stdout).toBe("a.txt:2:1:TODO one\n");
    expect((await json(["files", "grep", "cli-toolbox", "todo", "-i", "*.txt"])).matches).toHaveLength(1);

    const patch = "--- a/b.txt\n+++ b/b.txt\n@@ -1 +1 @@\n-beta\n+BETA\n";
    const applied = await run(["files", "apply", "cli-toolbox", "-", "-m", "patched", "--json"], { input: patch });
    expect([applied.code, applied.stderr]).toEqual([0, ""]);
    const patched = JSON.parse(applied.stdout);
    expect(patched).toMatchObject({ parent: two.commit, branch: "main", unchanged: false });
    const again = await run(["files", "apply", "cli-toolbox", "-", "-m", "again"], { input: patch });
    expect([again.code, again.stderr]).toEqual([
      1,
      "error: the patch does not apply:\n  mismatch\tb.txt\n@@ -1 +1 @@\n-beta\n+BETA\n",
    ]);

    const reverted = await json(["files", "revert", "cli-toolbox", patched.commit, "--branch", "main"]);
    expect(reverted).toMatchObject({ parents: [patched.commit], skipped: [], changed: ["b.txt"] });
    expect((await run(["files", "get", "cli-toolbox", "b.txt"])).stdout).toBe("beta\n");
    await json(["branches", "create", "cli-toolbox", "release", "--from", one.commit]);
    const picked = await json(["files", "cherry-pick", "cli-toolbox", two.commit, "--into", "release"]);
    expect(picked).toMatchObject({ parents: [one.commit], changed: ["b.txt"] });
    const carried = await run(["files", "cherry-pick", "cli-toolbox", patched.commit, "--into", "release"]);
    expect([carried.code, carried.stderr]).toEqual([0, ""]); // b.txt is beta on release too: the change applies

    expect(await json(["tags", "create", "cli-toolbox", "v1", "--from", "main", "-m", "First"])).toMatchObject({
      name: "v1",
      commit: reverted.commit,
      tag: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    expect(await json(["tags", "list", "cli-toolbox"])).toEqual({ v1: reverted.commit });
    expect((await run(["tags", "list", "cli-toolbox"])).stdout).toBe(`tag  commit\nv1   ${reverted.commit}\n`);
    expect(await json(["tags", "delete", "cli-toolbox", "v1"])).toEqual({ name: "v1", commit: reverted.commit });
    const missing = await run(["files", "revert", "cli-toolbox", "--branch", "main"]);
    expect([missing.code, missing.stderr]).toEqual([2, "usage: COMMIT is required\n"]);
  });

  it("lists, creates and deletes branches", async () => {
    await json(["repos", "create", "cli-branches"]);
    const dir = await tempDir();
    await writeFile(join(dir, "a.txt"), "a");
    const made = await json(["files", "put", "cli-branches", `a.txt=@${join(dir, "a.txt")}`, "-m", "one"]);
    expect(await json(["branches", "create", "cli-branches", "draft", "--from", "main"])).toEqual({
      name: "draft",
      commit: made.commit,
    });
    expect(await json(["branches", "list", "cli-branches"])).toEqual({
      head: "main",
      branches: { main: made.commit, draft: made.commit },
      tags: {},
    });
    const table = await run(["branches", "list", "cli-branches"]);
    expect(table.stdout.split("\n").slice(0, 3)).toEqual([
      "branch   commit",
      `  draft  ${made.commit}`,
      `* main   ${made.commit}`,
    ]);
    const stale = await run(["branches", "delete", "cli-branches", "draft", "--parent", "0".repeat(40)]);
    expect([stale.code, stale.stderr]).toEqual([1, expect.stringContaining("not at the expected parent")]);
    expect(await json(["branches", "delete", "cli-branches", "draft"])).toEqual({ name: "draft", commit: made.commit });
    await writeFile(join(dir, "b.txt"), "b");
    const next = await json(["files", "put", "cli-branches", `b.txt=@${join(dir, "b.txt")}`, "-m", "two"]);
    expect((await run(["files", "diff", "cli-branches", made.commit, "main"])).stdout).toBe("A\tb.txt\n");
    const patch = await run(["files", "diff", "cli-branches", made.commit, next.commit, "--patch"]);
    expect(patch.stdout).toBe("--- /dev/null\n+++ b/b.txt\n@@ -0,0 +1 @@\n+b\n\\ No newline at end of file\n");
    // Merging: a fast-forward, then a conflict listed with exit 1.
    expect(await json(["branches", "create", "cli-branches", "side", "--from", "main"])).toMatchObject({
      name: "side",
    });
    await writeFile(join(dir, "b.txt"), "ours");
    await json(["files", "put", "cli-branches", `b.txt=@${join(dir, "b.txt")}`, "-m", "ours"]);
    await writeFile(join(dir, "b.txt"), "theirs");
    await json(["files", "put", "cli-branches", `b.txt=@${join(dir, "b.txt")}`, "-m", "theirs", "--branch", "side"]);
    const conflict = await run(["files", "merge", "cli-branches", "side", "--into", "main"]);
    expect([conflict.code, conflict.stdout, conflict.stderr]).toEqual([
      1,
      "",
      "error: the merge has conflicts:\n  content\tb.txt\n",
    ]);
    const conflictJson = await run(["files", "merge", "cli-branches", "side", "--into", "main", "--json"]);
    const b64 = (text: string) => ({ base64: Buffer.from(text).toString("base64") });
    expect([conflictJson.code, JSON.parse(conflictJson.stderr)]).toEqual([
      1,
      {
        _tag: "MergeConflict",
        message: expect.stringContaining("b.txt"),
        conflicts: [{ path: "b.txt", kind: "content", base: b64("b"), ours: b64("ours"), theirs: b64("theirs") }],
      },
    ]);
    // PATH=- takes stdin's bytes as they are; --delete removes a file, in the same commit.
    const bytes = "from stdin \u00e9\n\u0000\u00ff";
    const piped = await run(["files", "put", "cli-branches", "c.bin=-", "--delete", "a.txt", "-m", "pipe", "--json"], {
      input: bytes,
    });
    expect([piped.code, piped.stderr]).toEqual([0, ""]);
    const files = (await readFiles(client, "cli-branches"))._unsafeUnwrap().files;
    expect(Buffer.from(files.get("c.bin") ?? []).equals(Buffer.from(bytes))).toBe(true);
    expect([...files.keys()].sort()).toEqual(["b.txt", "c.bin"]);
    const twice = await run(["files", "put", "cli-branches", "a=-", "b=-", "-m", "x"]);
    expect([twice.code, twice.stderr]).toEqual([2, "usage: only one PATH=- can read stdin\n"]);
    const both = await run([
      "files",
      "put",
      "cli-branches",
      `b.txt=@${join(dir, "b.txt")}`,
      "--delete",
      "b.txt",
      "-m",
      "x",
    ]);
    expect([both.code, both.stderr]).toEqual([2, "usage: b.txt is both written and deleted\n"]);
    const usage = await run(["branches", "create", "cli-branches", "x"]);
    expect([usage.code, usage.stderr]).toEqual([2, expect.stringContaining("--from REF is required")]);
  });

  it("says what went wrong on stderr, with the exit code for its kind, and never the API token", async () => {
    await json(["repos", "create", "cli-errors"]);
    const ttl = await run(["tokens", "create", "cli-errors", "--ttl", "99999999"]);
    expect([ttl.code, ttl.stdout]).toEqual([1, ""]);
    expect(ttl.stderr).toMatch(/^error 10103: .+\n$/);
    const ttlJson = await run(["tokens", "create", "cli-errors", "--ttl", "99999999", "--json"]);
    expect(JSON.parse(ttlJson.stderr)).toMatchObject({
      _tag: "HttpError",
      status: 400,
      body: { errors: [{ code: 10103 }] },
    });
    const missing = await run(["repos", "get", "no-such-repo"]);
    expect([missing.code, missing.stderr.trim()]).toEqual([1, "error 10200: repo 'no-such-repo' not found"]);

    for (const args of [
      ["repos", "list", "--limit", "ten"],
      ["repos", "nope"],
      ["nope"],
      ["repos", "list", "--bogus"],
      ["repos", "get"],
      ["repos", "get", ".."],
    ]) {
      const usage = await run(args);
      expect(usage.code, args.join(" ")).toBe(2);
      expect(usage.stderr.split("\n").filter(Boolean), args.join(" ")).toHaveLength(1);
    }
    const offline = await run(["repos", "list", "--base-url", "http://127.0.0.1:9/client/v4"]);
    expect(offline.code).toBe(3);
    expect(offline.stderr).toMatch(/^error: no response/);

    const bare = { ...env, CLOUDFLARE_API_TOKEN: "", CLOUDFLARE_ACCOUNT_ID: "" };
    const noCredentials = await run(["repos", "list"], { env: bare });
    expect([noCredentials.code, noCredentials.stderr]).toEqual([
      2,
      "missing credentials: set CLOUDFLARE_ACCOUNT_ID and CLOUDFLARE_API_TOKEN (or pass --account-id)\n",
    ]);
    for (const result of [ttl, ttlJson, missing, offline]) {
      expect(`${result.stdout}${result.stderr}`).not.toContain(server.apiToken);
    }
  });
});

describe("the command under careless or hostile input", () => {
  it("shows the inline token of create, fork and import redacted in a table, and whole with --json", async () => {
    const created = await run(["repos", "create", "cli-table"]);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^token\s+\[REDACTED\] \(--json shows it\)$/m);
    expect(created.stdout).not.toMatch(/art_v1_[0-9a-f]/);
    const forked = await run(["repos", "fork", "cli-table", "cli-table-fork"]);
    expect(forked.stdout).toMatch(/^token\s+\[REDACTED\]/m);
    expect(forked.stdout).not.toMatch(/art_v1_[0-9a-f]/);
    expect((await json(["repos", "fork", "cli-table", "cli-table-fork-2"])).token).toMatch(/^art_v1_[0-9a-f]{40}/);
  });

  it("never prints an API token that is not a header value, in text or --json, nor hands it to git", async () => {
    const secret = "cf-SECRET-with-newline\nX-Injected: yes";
    const bad = { ...env, CLOUDFLARE_API_TOKEN: secret };
    for (const args of [
      ["repos", "list"],
      ["repos", "list", "--json"],
    ]) {
      const result = await run(args, { env: bad });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("apiToken must be a valid HTTP header value");
      expect(`${result.stdout}${result.stderr}`).not.toContain("SECRET");
    }
    const host = `${server.accountId}.artifacts.cloudflare.net`;
    const helper = await run(["credential", "get"], {
      env: bad,
      input: `protocol=https\nhost=${host}\npath=git/default/cli-helper.git\n`,
    });
    expect(helper.stdout).toBe("");
    expect(helper.stderr).not.toContain("SECRET");
  });

  it("says a failed write other than a closed pipe in one line and exits 1 (> /dev/full)", async () => {
    const full = await open("/dev/full", "w");
    try {
      const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [bin, "repos", "list", "--json"], {
          cwd: root,
          env,
          stdio: ["ignore", full.fd, "pipe"],
        });
        let stderr = "";
        child.stderr?.on("data", (chunk) => (stderr += chunk));
        child.on("close", (code) => resolve({ code, stderr }));
      });
      expect(result).toEqual({ code: 1, stderr: "cloudflare-artifacts: cannot write the output (ENOSPC)\n" });
    } finally {
      await full.close();
    }
  });
});

describe("the Git credential helper", () => {
  // A function: `bin` is known once the suite has built it.
  const helper = () => `!"${process.execPath}" "${bin}" credential`;

  it("lets git clone and push with no token in any URL or config", async () => {
    const repo = (await json(["repos", "create", "cli-git"])) as { remote: string };
    const dir = await tempDir();
    const git = (args: string[], cwd?: string) =>
      new Promise<{ code: number; stderr: string }>((resolve) =>
        execFile(
          "git",
          [
            "-c",
            `credential.helper=${helper()}`,
            "-c",
            "credential.useHttpPath=true",
            "-c",
            "user.name=T",
            "-c",
            "user.email=t@e",
            ...args,
          ],
          { cwd, env: { ...env, GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" } },
          (error, _stdout, stderr) => resolve({ code: error ? 1 : 0, stderr }),
        ),
      );
    expect((await git(["clone", "--quiet", repo.remote, join(dir, "clone")])).code).toBe(0);
    await writeFile(join(dir, "clone", "hello.txt"), "hello");
    await git(["add", "hello.txt"], join(dir, "clone"));
    await git(["commit", "--quiet", "-m", "hello"], join(dir, "clone"));
    const pushed = await git(["push", "--quiet", "origin", "HEAD:main"], join(dir, "clone"));
    expect(pushed).toEqual({ code: 0, stderr: "" });
    expect((await getRepo(client, "cli-git"))._unsafeUnwrap().last_push_at).not.toBeNull();
    const config = await readFile(join(dir, "clone", ".git", "config"), "utf8");
    expect(config).toContain(`url = ${repo.remote}`);
    expect(config).not.toMatch(/art_v1_/);
    expect((await gitCli(["-C", join(dir, "clone"), "remote", "get-url", "origin"])).stdout.trim()).toBe(repo.remote);
  });

  it("answers for the account's Artifacts host with a fresh token, and nothing for any other host", async () => {
    await json(["repos", "create", "cli-helper"]);
    const tokensBefore = server.state.tokens.size;
    const other = await run(["credential", "get"], {
      input: "protocol=https\nhost=github.com\npath=git/default/cli-helper.git\n",
    });
    expect([other.code, other.stdout]).toEqual([0, ""]);
    expect(server.state.tokens.size).toBe(tokensBefore);

    const host = `${server.accountId}.artifacts.cloudflare.net`;
    // Never over a protocol that would send the token in clear (or anywhere but TLS), on the right host or not.
    for (const protocol of ["http", "ssh", "git"]) {
      const clear = await run(["credential", "get"], {
        input: `protocol=${protocol}\nhost=${host}\npath=git/default/cli-helper.git\n`,
      });
      expect([protocol, clear.code, clear.stdout]).toEqual([protocol, 0, ""]);
    }
    expect(server.state.tokens.size).toBe(tokensBefore);
    const mine = await run(["credential", "get", "--scope", "read", "--ttl", "120"], {
      input: `protocol=https\nhost=${host}\npath=git/default/cli-helper.git\n`,
    });
    expect(mine.code).toBe(0);
    const answer = Object.fromEntries(
      mine.stdout
        .trim()
        .split("\n")
        .map((line) => line.split("=")),
    );
    expect(answer.username).toBe("x");
    expect(answer.password).toMatch(/^art_v1_[0-9a-f]{40}$/);
    expect(Number(answer.password_expiry_utc) - Date.now() / 1000).toBeLessThanOrEqual(121);
    const minted = [...server.state.tokens.values()].at(-1);
    expect(minted?.scope).toBe("read");
    expect((await run(["credential", "store"], { input: "protocol=https\nhost=x\n" })).stdout).toBe("");
  });

  it("mints nothing for a request without a host, asks no credentials of another host, and reads any path", async () => {
    const tokensBefore = server.state.tokens.size;
    // The account set, no base URL: the host check alone stands between the request and a mint on the real API.
    const local = { ...env, CLOUDFLARE_API_BASE_URL: "" };
    const hostless = await run(["credential", "get"], {
      env: local,
      input: "protocol=https\npath=git/default/cli-helper.git\n",
    });
    expect([hostless.code, hostless.stdout, hostless.stderr]).toEqual([0, "", ""]);
    // Without any credential in the environment, an unrelated host is simply not this helper's.
    const bare = { ...env, CLOUDFLARE_API_TOKEN: "", CLOUDFLARE_ACCOUNT_ID: "" };
    const unrelated = await run(["credential", "get"], { env: bare, input: "protocol=https\nhost=github.com\n" });
    expect([unrelated.code, unrelated.stdout, unrelated.stderr]).toEqual([0, "", ""]);
    const host = `${server.accountId}.artifacts.cloudflare.net`;
    const garbled = await run(["credential", "get"], {
      input: `protocol=https\nhost=${host}\npath=git/%ZZ/cli-helper.git\n`,
    });
    expect([garbled.code, garbled.stdout, garbled.stderr]).toEqual([0, "", ""]);
    expect(server.state.tokens.size).toBe(tokensBefore);
  });
});
