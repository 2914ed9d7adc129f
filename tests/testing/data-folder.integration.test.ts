import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
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
