import git from "isomorphic-git";
import http from "isomorphic-git/http/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryFs, readFiles } from "../../src/git/index.js";
import { createClient, createRepo, gitCredentials } from "../../src/index.js";
import { type ArtifactsServer, startArtifactsServer } from "../../src/testing/index.js";

describe("memoryFs", () => {
  describe("with isomorphic-git against the local server", () => {
    let server: ArtifactsServer;
    beforeAll(async () => {
      server = await startArtifactsServer();
    });
    afterAll(() => server.close());

    it("inits, commits and pushes a repo that readFiles then reads", async () => {
      const client = createClient({ ...server.clientOptions, retry: 0 });
      const repo = (await createRepo(client, { name: "by-hand" }))._unsafeUnwrap();
      const creds = gitCredentials(repo.token)._unsafeUnwrap();
      const fs = memoryFs();
      await git.init({ fs, dir: "/work", defaultBranch: "main" });
      await fs.promises.mkdir("/work/src");
      await fs.promises.writeFile("/work/src/index.ts", "export {};\n");
      await git.add({ fs, dir: "/work", filepath: "src/index.ts" });
      const oid = await git.commit({ fs, dir: "/work", message: "by hand", author: { name: "A", email: "a@b" } });
      await git.push({ fs, http, dir: "/work", url: repo.remote, ref: "main", onAuth: creds.onAuth });

      const read = (await readFiles(client, "by-hand"))._unsafeUnwrap();
      expect(read.commit).toBe(oid);
      expect(new TextDecoder().decode(read.files.get("src/index.ts"))).toBe("export {};\n");

      const clone = memoryFs();
      await git.clone({ fs: clone, http, dir: "/clone", url: repo.remote, onAuth: creds.onAuth, singleBranch: true });
      expect(await clone.promises.readFile("/clone/src/index.ts", "utf8")).toBe("export {};\n");
    });
  });
});
