/**
 * An in-memory filesystem with the `fs.promises` shape isomorphic-git asks for (its `FsClient`), for code that runs
 * isomorphic-git itself (a clone, a log) in runtimes without a disk (Workers) or where a disk is not wanted. The
 * data plane no longer uses it.
 */

/**
 * What `stat` and `lstat` resolve to: the fields isomorphic-git reads.
 *
 * @example
 * const stats: MemoryStats = await fs.promises.stat("/repo/README.md");
 * if (stats.isFile()) console.log(stats.size);
 */
export interface MemoryStats {
  type: "file" | "dir" | "symlink";
  mode: number;
  size: number;
  ino: number;
  uid: number;
  gid: number;
  dev: number;
  mtimeMs: number;
  ctimeMs: number;
  mtime: Date;
  ctime: Date;
  /** A regular file. */
  isFile(): boolean;
  /** A folder. */
  isDirectory(): boolean;
  /** A symlink (only `lstat` says so). */
  isSymbolicLink(): boolean;
}

/**
 * The filesystem: pass it as isomorphic-git's `fs`.
 *
 * @example
 * const fs = memoryFs();
 * await git.init({ fs, dir: "/work", defaultBranch: "main" });
 * await fs.promises.writeFile("/work/README.md", "# notes\n");
 */
export interface MemoryFs {
  readonly promises: {
    /** The file's bytes, or its text with `"utf8"`. */
    readFile(path: string, options?: { encoding?: string } | string): Promise<Uint8Array | string>;
    /** Creates or replaces a file (its folder must exist). */
    writeFile(path: string, data: Uint8Array | string, options?: { mode?: number } | string): Promise<void>;
    /** Creates a folder; `{ recursive: true }` creates the missing ones on the way. */
    mkdir(path: string, options?: { recursive?: boolean } | number): Promise<void>;
    /** Removes an empty folder. */
    rmdir(path: string): Promise<void>;
    /** Removes a file or a symlink. */
    unlink(path: string): Promise<void>;
    /** The names in a folder. */
    readdir(path: string): Promise<string[]>;
    /** What is at a path, following symlinks. */
    stat(path: string): Promise<MemoryStats>;
    /** What is at a path, a symlink itself included. */
    lstat(path: string): Promise<MemoryStats>;
    /** Where a symlink points. */
    readlink(path: string): Promise<string>;
    /** Creates a symlink to `target`. */
    symlink(target: string, path: string): Promise<void>;
    /** Sets the permission bits. */
    chmod(path: string, mode: number): Promise<void>;
  };
}

type Node =
  | { type: "file"; data: Uint8Array; mode: number; ino: number; mtimeMs: number }
  | { type: "dir"; children: Map<string, Node>; mode: number; ino: number; mtimeMs: number }
  | { type: "symlink"; target: string; mode: number; ino: number; mtimeMs: number };
type Dir = Extract<Node, { type: "dir" }>;

/** Node's error shape (`code`, `path`), which isomorphic-git tests for. */
class FsError extends Error {
  constructor(
    readonly code: "ENOENT" | "EEXIST" | "ENOTDIR" | "EISDIR" | "ENOTEMPTY" | "EINVAL",
    readonly path: string,
  ) {
    super(`${code}: ${path}`);
  }
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();
const MAX_SYMLINKS = 40;

/**
 * A new, empty in-memory filesystem. Paths are POSIX, absolute or relative to `/`; symlinks are followed by
 * `stat` and `readFile` but not by `lstat` and `readlink`, as on disk.
 *
 * @example
 * const fs = memoryFs();
 * await git.clone({ fs, http, dir: "/repo", url: repo.remote, onAuth: creds.onAuth, depth: 1 });
 */
export function memoryFs(): MemoryFs {
  let inodes = 0;
  const now = () => Date.now();
  const root: Dir = { type: "dir", children: new Map(), mode: 0o40755, ino: ++inodes, mtimeMs: now() };

  /** The names along `path`, with `.` and `..` resolved as a POSIX path is. */
  function parts(path: string): string[] {
    const names: string[] = [];
    for (const name of path.split("/")) {
      if (name === "..") names.pop();
      else if (name !== "" && name !== ".") names.push(name);
    }
    return names;
  }

  /** The node at `path`, following symlinks on the way and, when `follow`, at the end. */
  function lookup(path: string, follow: boolean, depth = 0): Node | undefined {
    const names = parts(path);
    let node: Node = root;
    for (const [index, name] of names.entries()) {
      if (node.type !== "dir") throw new FsError("ENOTDIR", path);
      const child = node.children.get(name);
      if (!child) return undefined;
      const last = index === names.length - 1;
      if (child.type === "symlink" && (follow || !last)) {
        if (depth >= MAX_SYMLINKS) throw new FsError("EINVAL", path);
        const base = child.target.startsWith("/") ? child.target : [...names.slice(0, index), child.target].join("/");
        return lookup([base, ...names.slice(index + 1)].join("/"), follow, depth + 1);
      }
      node = child;
    }
    return node;
  }

  function parentOf(path: string): { dir: Dir; name: string } {
    const names = parts(path);
    const name = names.pop();
    if (name === undefined) throw new FsError("EEXIST", path);
    const dir = lookup(names.join("/"), true);
    if (!dir) throw new FsError("ENOENT", path);
    if (dir.type !== "dir") throw new FsError("ENOTDIR", path);
    return { dir, name };
  }

  function existing(path: string, follow: boolean): Node {
    const node = lookup(path, follow);
    if (!node) throw new FsError("ENOENT", path);
    return node;
  }

  function stats(node: Node): MemoryStats {
    const size = node.type === "file" ? node.data.byteLength : node.type === "symlink" ? node.target.length : 0;
    return {
      type: node.type,
      mode: node.mode,
      size,
      ino: node.ino,
      uid: 1,
      gid: 1,
      dev: 1,
      mtimeMs: node.mtimeMs,
      ctimeMs: node.mtimeMs,
      mtime: new Date(node.mtimeMs),
      ctime: new Date(node.mtimeMs),
      isFile: () => node.type === "file",
      isDirectory: () => node.type === "dir",
      isSymbolicLink: () => node.type === "symlink",
    };
  }

  const encodingOf = (options?: { encoding?: string } | string) =>
    typeof options === "string" ? options : options?.encoding;

  // Every operation is synchronous inside; `async` only gives isomorphic-git the promises it expects, and turns
  // every FsError into a rejection.
  const promises: MemoryFs["promises"] = {
    async readFile(path, options) {
      const node = existing(path, true);
      if (node.type !== "file") throw new FsError("EISDIR", path);
      return encodingOf(options) === "utf8" ? fromUtf8.decode(node.data) : node.data.slice();
    },
    async writeFile(path, data, options) {
      const { dir, name } = parentOf(path);
      const current = dir.children.get(name);
      if (current?.type === "dir") throw new FsError("EISDIR", path);
      const bytes = typeof data === "string" ? utf8.encode(data) : new Uint8Array(data);
      const mode = (typeof options === "object" ? options.mode : undefined) ?? 0o644;
      dir.children.set(name, {
        type: "file",
        data: bytes,
        mode: 0o100000 | (mode & 0o777),
        ino: ++inodes,
        mtimeMs: now(),
      });
    },
    async mkdir(path, options) {
      if (typeof options === "object" && options.recursive) {
        let walked = "";
        for (const name of parts(path)) {
          walked += `/${name}`;
          const node = lookup(walked, true);
          if (node && node.type !== "dir") throw new FsError("ENOTDIR", walked);
          if (!node) await promises.mkdir(walked);
        }
        return;
      }
      const { dir, name } = parentOf(path);
      if (dir.children.has(name)) throw new FsError("EEXIST", path);
      dir.children.set(name, { type: "dir", children: new Map(), mode: 0o40755, ino: ++inodes, mtimeMs: now() });
    },
    async rmdir(path) {
      const { dir, name } = parentOf(path);
      const node = dir.children.get(name);
      if (!node) throw new FsError("ENOENT", path);
      if (node.type !== "dir") throw new FsError("ENOTDIR", path);
      if (node.children.size > 0) throw new FsError("ENOTEMPTY", path);
      dir.children.delete(name);
    },
    async unlink(path) {
      const { dir, name } = parentOf(path);
      const node = dir.children.get(name);
      if (!node) throw new FsError("ENOENT", path);
      if (node.type === "dir") throw new FsError("EISDIR", path);
      dir.children.delete(name);
    },
    async readdir(path) {
      const node = existing(path, true);
      if (node.type !== "dir") throw new FsError("ENOTDIR", path);
      return [...node.children.keys()];
    },
    async stat(path) {
      return stats(existing(path, true));
    },
    async lstat(path) {
      return stats(existing(path, false));
    },
    async readlink(path) {
      const node = existing(path, false);
      if (node.type !== "symlink") throw new FsError("EINVAL", path);
      return node.target;
    },
    async symlink(target, path) {
      const { dir, name } = parentOf(path);
      if (dir.children.has(name)) throw new FsError("EEXIST", path);
      dir.children.set(name, { type: "symlink", target, mode: 0o120000, ino: ++inodes, mtimeMs: now() });
    },
    async chmod(path, mode) {
      const node = existing(path, true);
      node.mode = (node.mode & ~0o777) | (mode & 0o777);
    },
  };
  return { promises };
}
