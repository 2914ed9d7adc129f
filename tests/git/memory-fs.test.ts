import { describe, expect, it } from "vitest";
import { memoryFs } from "../../src/git/index.js";

/** The in-memory filesystem isomorphic-git users get: Node's error codes, folders, symlinks and modes. */

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

  it("refuses what a disk refuses, each with its code and path", async () => {
    const { promises: fs } = memoryFs();
    await fs.mkdir("/d");
    await fs.writeFile("/d/f", "x");
    const refused = async (run: Promise<unknown>, code: string, path: string) =>
      expect(
        await run.then(
          () => undefined,
          (error: unknown) => error,
        ),
      ).toMatchObject({ code, path, message: `${code}: ${path}` });
    await refused(fs.writeFile("/d", "x"), "EISDIR", "/d");
    await refused(fs.mkdir("/d/f/g", { recursive: true }), "ENOTDIR", "/d/f");
    await refused(fs.mkdir("/"), "EEXIST", "/");
    await refused(fs.rmdir("/none"), "ENOENT", "/none");
    await refused(fs.rmdir("/d/f"), "ENOTDIR", "/d/f");
    await refused(fs.unlink("/none"), "ENOENT", "/none");
    await refused(fs.unlink("/d"), "EISDIR", "/d");
    await refused(fs.readdir("/d/f"), "ENOTDIR", "/d/f");
    await refused(fs.readlink("/d/f"), "EINVAL", "/d/f");
    await refused(fs.symlink("x", "/d/f"), "EEXIST", "/d/f");
    await refused(fs.stat("/d/none"), "ENOENT", "/d/none");
  });

  it("stats what it holds: type, size, mode, times, one inode each", async () => {
    const { promises: fs } = memoryFs();
    const before = Date.now();
    await fs.writeFile("/f", Uint8Array.of(1, 2, 3), { mode: 0o600 });
    await fs.mkdir("/d", 0o700);
    await fs.symlink("f", "/l");
    const file = await fs.stat("/f");
    expect(file).toMatchObject({ type: "file", size: 3, uid: 1, gid: 1, dev: 1 });
    expect(file.mode).toBe(0o100600);
    expect([file.isFile(), file.isDirectory(), file.isSymbolicLink()]).toEqual([true, false, false]);
    expect(file.mtimeMs).toBeGreaterThanOrEqual(before);
    expect(file.mtime.getTime()).toBe(file.mtimeMs);
    expect(file.ctimeMs).toBe(file.mtimeMs);
    const dir = await fs.stat("/d");
    expect([dir.type, dir.isDirectory(), dir.size]).toEqual(["dir", true, 0]);
    const link = await fs.lstat("/l");
    expect([link.type, link.isSymbolicLink(), link.size]).toEqual(["symlink", true, 1]);
    expect(new Set([file.ino, dir.ino, link.ino]).size).toBe(3);
    expect(await fs.readdir("/")).toEqual(["f", "d", "l"]); // in the order made
    expect(await fs.readFile("l", { encoding: "utf8" })).toBe("\u0001\u0002\u0003");
    await fs.writeFile("/f", "replaced", "utf8");
    expect(await fs.readFile("/f", "utf8")).toBe("replaced");
  });
});
