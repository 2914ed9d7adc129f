import git from "isomorphic-git";
import http from "isomorphic-git/http/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryFs, readFiles } from "../../src/git/index.js";
import { createClient, createRepo, gitCredentials } from "../../src/index.js";
import { type ArtifactsServer, startArtifactsServer } from "../../src/testing/index.js";

describe("memoryFs", () => {
  it("behaves as a filesystem: errors with Node's codes, folders, symlinks, modes", async () => {
    const { promises: fs } = memoryFs();
    await expect(fs.readFile("/missing")).rejects.toMatchObject({ code: "ENOENT" });
    await expect(fs.writeFile("/no/dir/file", "x")).rejects.toMatchObject({ code: "ENOENT" });
    await fs.mkdir("/a/b", { recursive: true });
    await expect(fs.mkdir("/a")).rejects.toMatchObject({ code: "EEXIST" });
    await fs.writeFile("/a/b/file.txt", "héllo");
    expect(await fs.readFile("/a/b/file.txt", "utf8")).toBe("héllo");
    expect(await fs.readFile("/a/b/file.txt")).toEqual(new TextEncoder().encode("héllo"));
    expect(await fs.readdir("/a")).toEqual(["b"]);
    await expect(fs.rmdir("/a/b")).rejects.toMatchObject({ code: "ENOTEMPTY" });
    await expect(fs.readFile("/a")).rejects.toMatchObject({ code: "EISDIR" });
    await expect(fs.readFile("/a/b/file.txt/x")).rejects.toMatchObject({ code: "ENOTDIR" });

    await fs.symlink("b/file.txt", "/a/link");
    expect(await fs.readlink("/a/link")).toBe("b/file.txt");
    expect(await fs.readFile("/a/link", "utf8")).toBe("héllo");
    expect((await fs.lstat("/a/link")).isSymbolicLink()).toBe(true);
    expect((await fs.stat("/a/link")).isFile()).toBe(true);
    await fs.symlink("/a/b", "/dirlink");
    expect(await fs.readFile("/dirlink/file.txt", "utf8")).toBe("héllo");
    await fs.symlink("/loop", "/loop");
    await expect(fs.stat("/loop")).rejects.toMatchObject({ code: "EINVAL" });

    await fs.chmod("/a/b/file.txt", 0o755);
    expect((await fs.stat("/a/b/file.txt")).mode & 0o777).toBe(0o755);
    expect((await fs.stat("/a/b/file.txt")).size).toBe(6);
    // A copy comes back: changing what was read changes nothing stored.
    const read = (await fs.readFile("/a/b/file.txt")) as Uint8Array;
    read[0] = 0;
    expect(await fs.readFile("/a/b/file.txt", "utf8")).toBe("héllo");
    await fs.unlink("/a/b/file.txt");
    await fs.rmdir("/a/b");
    expect(await fs.readdir("/a")).toEqual(["link"]);
  });

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
