import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitFiles, createBranch, deleteBranch, listRefs, readFileStream, readFiles } from "../../src/git/index.js";
import { createClient, createRepo, createToken, gitCredentials } from "../../src/index.js";
import { type ArtifactsServer, startArtifactsServer } from "../../src/testing/index.js";
import { gitCli, readText, removeTempDirs, tempDir } from "../support/git.js";
import { type Simulator, simulatorAvailable, startSimulator } from "../support/simulator.js";

/**
 * Cloudflare's own local Artifacts simulator (what `wrangler dev` runs), driven through its binding: it mints
 * `art_v2_x_…` tokens and advertises no `filter`. The data plane and `gitCredentials` must work there as on our
 * server, judged by the git CLI.
 */

const author = { name: "Ada Agent", email: "ada@example.com", timestamp: 1_764_000_000, timezoneOffset: 0 };
const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

describe.runIf(simulatorAvailable)("Cloudflare's local simulator", () => {
  let simulator: Simulator;
  beforeAll(async () => {
    simulator = await startSimulator();
  }, 90_000);
  afterAll(async () => {
    await simulator?.close();
    await removeTempDirs();
  });

  it("mints art_v2_x_ tokens that gitCredentials reads, for the git CLI by header and by Basic URL", async () => {
    const repo = await simulator.create("credentials");
    expect(repo.token).toMatch(/^art_v2_x_[0-9a-f]{40}\?expires=\d+$/);
    const write = gitCredentials(repo.token)._unsafeUnwrap();
    expect(write.isExpired()).toBe(false);

    const work = await tempDir();
    await gitCli(["init", "--quiet", "-b", "main", work]);
    await import("node:fs/promises").then((fs) => fs.writeFile(join(work, "hello.txt"), "hello\n"));
    await gitCli(["add", "-A"], work);
    await gitCli(["commit", "--quiet", "-m", "from the git CLI"], work);
    const push = await gitCli(["-c", `http.extraHeader=${write.extraHeader}`, "push", repo.remote, "main"], work);
    expect(push.code, push.stderr).toBe(0);

    const read = gitCredentials((await simulator.token("credentials", "read")).plaintext)._unsafeUnwrap();
    const clone = await tempDir();
    const url = read.remoteUrl(repo.remote)._unsafeUnwrap();
    const cloned = await gitCli(["clone", "--quiet", url, clone]);
    expect(cloned.code, cloned.stderr).toBe(0);
    expect(await readText(clone, "hello.txt")).toBe("hello\n");
    expect(cloned.stderr).not.toContain(read.secret);

    // The data plane reads what the CLI pushed, and a read token cannot push.
    const files = (await readFiles({ remote: repo.remote, token: read.token }))._unsafeUnwrap();
    expect(text(files.files.get("hello.txt"))).toBe("hello\n");
    const refused = await commitFiles(
      { remote: repo.remote, token: read.token },
      { message: "no", author, files: { x: "x" } },
    );
    expect(refused._unsafeUnwrapErr()).toMatchObject({ _tag: "GitError", reason: "auth" });
    expect(refused._unsafeUnwrapErr().message).not.toContain(read.secret);
  });

  it("takes commits and reads (whole and by paths) in { remote, token } form, without filter", async () => {
    const repo = await simulator.create("commits");
    const heard: string[] = [];
    const debug = (line: string) => heard.push(line);
    const first = (
      await commitFiles(repo, { message: "one", author, files: { "a.txt": "a", "d/b.txt": "b", "d/e/f.txt": "f" } })
    )._unsafeUnwrap();
    const second = (
      await commitFiles(repo, { message: "two", author, files: { "d/b.txt": null, "d/c.txt": "c" } }, { debug })
    )._unsafeUnwrap();
    expect(second).toMatchObject({ parent: first.commit, branch: "main", unchanged: false });
    expect(heard).toContain("the remote does not advertise filter: fetching the commit with its files");
    const again = (await commitFiles(repo, { message: "same", author, files: { "d/c.txt": "c" } }))._unsafeUnwrap();
    expect(again).toMatchObject({ commit: second.commit, unchanged: true });

    const whole = (await readFiles(repo))._unsafeUnwrap();
    expect(whole.commit).toBe(second.commit);
    expect([...whole.files.keys()].sort()).toEqual(["a.txt", "d/c.txt", "d/e/f.txt"]);
    const some = (await readFiles(repo, { paths: ["d/e/", "a.txt"] }))._unsafeUnwrap();
    expect([...some.files.keys()].sort()).toEqual(["a.txt", "d/e/f.txt"]);
    const old = (await readFiles(repo, { ref: first.commit, paths: ["d/b.txt"] }))._unsafeUnwrap();
    expect(text(old.files.get("d/b.txt"))).toBe("b");

    const clone = await tempDir();
    const read = gitCredentials((await simulator.token("commits", "read")).plaintext)._unsafeUnwrap();
    expect(
      (await gitCli(["-c", `http.extraHeader=${read.extraHeader}`, "clone", "--quiet", repo.remote, clone])).code,
    ).toBe(0);
    expect((await gitCli(["log", "--format=%s|%an|%at", "main"], clone)).stdout).toBe(
      "two|Ada Agent|1764000000\none|Ada Agent|1764000000\n",
    );
    expect((await gitCli(["fsck", "--strict", "--no-dangling"], clone)).code).toBe(0);
  });
});

describe.runIf(simulatorAvailable)("branches on Cloudflare's local simulator, through the binding", () => {
  let simulator: Simulator;
  beforeAll(async () => {
    simulator = await startSimulator();
  }, 90_000);
  afterAll(() => simulator?.close());

  it("lists, creates and deletes branches with the repo handle", async () => {
    await simulator.create("branches");
    const handle = simulator.handle("branches");
    const first = (await commitFiles(handle, { message: "one", author, files: { a: "1" } }))._unsafeUnwrap();
    (await createBranch(handle, { name: "agent/a", from: "main" }))._unsafeUnwrap();
    expect((await listRefs(handle))._unsafeUnwrap()).toEqual({
      head: "main",
      branches: { main: first.commit, "agent/a": first.commit },
      tags: {},
    });
    expect((await deleteBranch(handle, { name: "agent/a", parent: first.commit }))._unsafeUnwrap()).toEqual({
      name: "agent/a",
      commit: first.commit,
    });
    expect(Object.keys((await listRefs(handle))._unsafeUnwrap().branches)).toEqual(["main"]);
  });

  it("commits a 31 MB Blob and streams it back through the repo handle, byte for byte as git clones it", {
    timeout: 120_000,
  }, async () => {
    const repo = await simulator.create("large");
    const handle = simulator.handle("large");
    const bytes = randomBytes(31 * 1024 * 1024);
    const files = { "big.bin": new Blob([bytes]) };
    (await commitFiles(handle, { message: "large", author, files }))._unsafeUnwrap();
    const file = (await readFileStream(handle, { path: "big.bin" }))._unsafeUnwrap();
    expect(file.size).toBe(bytes.byteLength);
    const streamed = Buffer.from(await new Response(file.stream).arrayBuffer());
    expect(streamed.equals(bytes)).toBe(true);

    const read = gitCredentials((await simulator.token("large", "read")).plaintext)._unsafeUnwrap();
    const clone = await tempDir();
    const cloned = await gitCli(["-c", `http.extraHeader=${read.extraHeader}`, "clone", "--quiet", repo.remote, clone]);
    expect(cloned.code, cloned.stderr).toBe(0);
    expect((await readFile(join(clone, "big.bin"))).equals(bytes)).toBe(true);
  });
});

describe("the local server's token formats", () => {
  let server: ArtifactsServer;
  beforeAll(async () => {
    server = await startArtifactsServer({ tokenFormat: "v2" });
  });
  afterAll(() => server.close());

  it("mints art_v2_x_ tokens when asked, which the data plane, gitCredentials and git take", async () => {
    const client = createClient({ ...server.clientOptions, retry: 0 });
    const repo = (await createRepo(client, { name: "v2" }))._unsafeUnwrap();
    expect(repo.token).toMatch(/^art_v2_x_[0-9a-f]{40}\?expires=\d+$/);
    const minted = (await createToken(client, { repo: "v2", scope: "write" }))._unsafeUnwrap();
    expect(minted.plaintext).toMatch(/^art_v2_x_[0-9a-f]{40}\?expires=\d+$/);
    const made = await commitFiles(
      { remote: repo.remote, token: minted.plaintext },
      { message: "m", author, files: { a: "1" } },
    );
    expect(made.isOk()).toBe(true);
    const creds = gitCredentials(minted.plaintext)._unsafeUnwrap();
    const clone = await tempDir();
    expect((await gitCli(["clone", "--quiet", creds.remoteUrl(repo.remote)._unsafeUnwrap(), clone])).code).toBe(0);
    expect(await readText(clone, "a")).toBe("1");
    // The client form mints its own (v2) token for the call.
    expect((await readFiles(client, "v2"))._unsafeUnwrap().files.size).toBe(1);
  });
});
