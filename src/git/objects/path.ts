import { compileGlob, isGlob } from "./glob.js";
import { type ByteString, fromUtf8 } from "./tree.js";

/**
 * Paths: which the data plane may write, and which a call's `paths` select.
 *
 * Which it may write: those Git checks out on every platform and `git fsck --strict` accepts.
 * A port of Git's `verify_path` with `core.protectNTFS` and `core.protectHFS` on (read-cache.c), of
 * `is_ntfs_dotgit` (path.c) and `is_hfs_dotgit` (utf8.c), and of fsck's tree-name checks (fsck.c). Paths that are
 * already in a tree are never checked: what someone else pushed is kept as it is.
 */

/** Why `path` cannot be written, or undefined when it can. */
export function pathProblem(path: string): string | undefined {
  if (path.length === 0) return "it is empty";
  if (path.length > 4096) return "it is longer than 4096 characters";
  if (path.includes("\0")) return "it holds a NUL";
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(path)) {
    return "it holds a lone surrogate (not encodable as UTF-8)";
  }
  // Git on Windows (and fsck, which reads `\` as a separator wherever a `.git` could hide behind it) would see a
  // folder; on Linux it is a name. Refused: a path the SDK writes must mean the same thing everywhere.
  if (path.includes("\\")) return "it holds a backslash";
  for (const part of path.split("/")) {
    if (part === "") return "it has an empty part (a leading, trailing or double /)";
    if (part === "." || part === "..") return `it has a ${part} part`;
    if (isNtfsDotGit(part) || isHfsDotGit(part))
      return `its part ${JSON.stringify(part)} names .git on some filesystem`;
  }
  return undefined;
}

/**
 * `.git` as NTFS reads a name: case-insensitive, trailing spaces and periods dropped, an alternate data stream
 * after `:` (`.git::$INDEX_ALLOCATION`), or the 8.3 short name `git~1`.
 */
function isNtfsDotGit(name: string): boolean {
  const match = /^(?:\.git|git~1)(.*)$/i.exec(name);
  if (!match) return false;
  const rest = match[1] ?? "";
  const end = rest.search(/[^. ]/);
  return end === -1 || rest[end] === ":";
}

/** Code points HFS+ ignores in names, so `.g\u200cit` is `.git` on a Mac. */
const HFS_IGNORED = /[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]/g;

/** `.git` as HFS+ reads a name: case-insensitive, with the ignorable code points removed. */
function isHfsDotGit(name: string): boolean {
  return name.replace(HFS_IGNORED, "").toLowerCase() === ".git";
}

/** Which paths (their bytes) a call is about, and which folders (ending in `/`) can hold one: no other is read. */
export interface Selection {
  file(path: ByteString): boolean;
  enter(folder: ByteString): boolean;
}

/**
 * Which files `paths` selects: exact paths, folders written with a trailing slash (`"docs/"`), or globs (glob.ts:
 * `*.md`, `src/**\/*.ts`); every file when `paths` is undefined. `enter` says which folders (ending in `/`) can hold
 * a selected file: no other is read (for a glob, the folders on its fixed prefix). Paths compare as the bytes Git
 * stores (the UTF-8 of what the caller wrote).
 */
export function select(paths: readonly string[] | undefined): Selection {
  if (paths === undefined) return { file: () => true, enter: () => true };
  const globs = paths.filter(isGlob).map((glob) => compileGlob(fromUtf8(glob)));
  const wanted = paths.filter((path) => !isGlob(path)).map(fromUtf8);
  const folders = wanted.filter((path) => path.endsWith("/"));
  const exact = new Set(wanted.filter((path) => !path.endsWith("/")));
  return {
    file: (path: ByteString) =>
      exact.has(path) || folders.some((folder) => path.startsWith(folder)) || globs.some((glob) => glob.matches(path)),
    enter: (folder: ByteString) =>
      folders.some((chosen) => chosen.startsWith(folder) || folder.startsWith(chosen)) ||
      [...exact].some((path) => path.startsWith(folder)) ||
      globs.some(({ prefix }) => prefix.startsWith(folder) || folder.startsWith(prefix)),
  };
}

/**
 * `paths` as git reads a pathspec: a path without a trailing slash names a file or a folder (`src` is `src/…`
 * too). For the calls that take git's meaning (`listCommits`, `grepFiles`); `readFiles` and `diffRefs` keep theirs.
 */
export function pathspec(paths: readonly string[] | undefined): Selection {
  return select(paths?.flatMap((path) => (isGlob(path) || path.endsWith("/") ? [path] : [path, `${path}/`])));
}
