import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commitFiles, readFiles } from "../../src/git/index.js";
import {
  createClient,
  createNamespace,
  createRepo,
  createToken,
  getNamespace,
  getRepo,
  listRepos,
  listTokens,
} from "../../src/index.js";
import { startArtifactsServer } from "../../src/testing/index.js";

/**
 * A data folder that persists: a server started again on it serves the same repos (same ids), tokens (kept as hashes
 * only), namespaces and Git content, and drops what a stop cut off.
 */

const author = { name: "Ada", email: "ada@example.com" };

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

describe("a data folder the user names", () => {
  /** A folder as a user's own: a project with a `.git` folder, a bare repo, temporary files. */
  async function usersFolder() {
    const dir = await mkdtemp(join(tmpdir(), "artifacts-users-"));
    await mkdir(join(dir, "project.git", "objects"), { recursive: true });
    await mkdir(join(dir, ".git"));
    await writeFile(join(dir, "notes.tmp"), "mine");
    await writeFile(join(dir, "state.json.tmp"), "mine too");
    return dir;
  }

  it("is refused when it holds anything not the server's and no mark: nothing in it is touched", async () => {
    const dir = await usersFolder();
    try {
      const before = (await readdir(dir)).sort();
      const started = await startArtifactsServer({ dataDir: dir }).then(
        (server) => server.close().then(() => "started"),
        (error: Error) => error,
      );
      expect(started).toBeInstanceOf(Error);
      expect((started as Error).message).toMatch(/is not empty and is not a data folder of the local Artifacts server/);
      expect((await readdir(dir)).sort()).toEqual(before);
      expect(await readFile(join(dir, "notes.tmp"), "utf8")).toBe("mine");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("is marked when new or empty, kept to its owner (0700 folders, 0600 files), and taken again once marked", async () => {
    const parent = await mkdtemp(join(tmpdir(), "artifacts-new-"));
    const dir = join(parent, "data");
    try {
      const first = await startArtifactsServer({ dataDir: dir });
      const client = createClient({ ...first.clientOptions, retry: 0 });
      const repo = (await createRepo(client, { name: "kept" }))._unsafeUnwrap();
      await commitFiles(client, "kept", { message: "m", author, files: { "a.txt": "a" } });
      await first.close();
      expect(await readdir(dir)).toContain(".cloudflare-artifacts-server");
      // Git's objects are read-only (0400); nothing is anyone's but the owner's.
      const modes: string[] = [];
      const walk = async (path: string): Promise<void> => {
        const info = await stat(path);
        modes.push(`${info.isDirectory() ? "d" : "f"}${(info.mode & 0o777).toString(8)}`);
        if (info.isDirectory()) for (const name of await readdir(path)) await walk(join(path, name));
      };
      await walk(dir);
      expect(new Set(modes)).toEqual(new Set(["d700", "f600", "f400"]));
      // A file of the user's own in a marked folder stays: only the server's own shapes are removed.
      await writeFile(join(dir, "mine.txt"), "mine");
      await mkdir(join(dir, "mine.git"));
      const second = await startArtifactsServer({ dataDir: dir });
      try {
        const again = createClient({ ...second.clientOptions, retry: 0 });
        expect((await getRepo(again, "kept"))._unsafeUnwrap().id).toBe(repo.id);
      } finally {
        await second.close();
      }
      expect(await readdir(dir)).toEqual(expect.arrayContaining(["mine.txt", "mine.git", `${repo.id}.git`]));
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });

  it("of an earlier version (state.json and the server's own names, no mark) is taken and marked", async () => {
    const dir = await mkdtemp(join(tmpdir(), "artifacts-earlier-"));
    try {
      const first = await startArtifactsServer({ dataDir: dir });
      await createRepo(createClient({ ...first.clientOptions, retry: 0 }), { name: "old" });
      await first.close();
      await rm(join(dir, ".cloudflare-artifacts-server"));
      const second = await startArtifactsServer({ dataDir: dir });
      try {
        const [repos] = (await listRepos(createClient({ ...second.clientOptions, retry: 0 })))._unsafeUnwrap();
        expect(repos.map((repo) => repo.name)).toEqual(["old"]);
      } finally {
        await second.close();
      }
      expect(await readdir(dir)).toContain(".cloudflare-artifacts-server");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
