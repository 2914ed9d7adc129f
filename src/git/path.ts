/**
 * Which paths the data plane may write: those Git checks out on every platform and `git fsck --strict` accepts.
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
