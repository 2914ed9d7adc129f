import { err, ok, type Result, safeTry } from "neverthrow";
import { InvalidInputError } from "../errors.js";
import { type GitCall, gitCall } from "./call.js";
import { type CheckedGrep, checkGrep } from "./input.js";
import { isBinary } from "./objects/binary.js";
import { bracket } from "./objects/glob.js";
import { pathspec } from "./objects/path.js";
import { type ByteString, decodeUtf8, fromUtf8, kindOf, namedPath, toByteString, toBytes } from "./objects/tree.js";
import { filesAt } from "./read.js";

/**
 * Searching the files of a commit without a clone, as `git grep -E -n --column -I <pattern> <ref> -- <paths>`:
 * only the trees on the paths' way and the files they select are read, in Git's path order, binary files (a NUL in
 * their first 8,000 bytes) skipped. Lines and columns count bytes, as git does in the C locale.
 */

/**
 * What `grepFiles` searches for, and where.
 *
 * @example
 * const input: GrepFilesInput = { pattern: "TODO|FIXME", paths: ["src/**\/*.ts"], maxMatches: 50 };
 */
export interface GrepFilesInput {
  /**
   * A POSIX extended regular expression (`git grep -E`), run as a JavaScript `RegExp` over each line's bytes: what
   * both read alike means the same (`.`, `[…]` with `[:alpha:]` and the other classes, `*`, `+`, `?`, `{n,m}`, `|`,
   * `( )`, `^`, `$`, `\<` and `\>`); JavaScript's escapes (`\d`, `\s`, `\b`) work too. Refused if it does not compile.
   */
  pattern: string;
  /** A branch, a tag or a commit id. Default (or `"HEAD"`): the repo's default branch. */
  ref?: string;
  /** As git's pathspec: files, folders, globs (`*.md`). Default: every file. */
  paths?: string[];
  /** `pattern` is a plain string (`git grep -F`). */
  fixedStrings?: boolean;
  /** ASCII letters match either case (`git grep -i`). */
  ignoreCase?: boolean;
  /** Stop after this many matching lines (`truncated` then says so). Default 1,000. */
  maxMatches?: number;
  /** Search at most this many bytes of files: one that would cross it is not read (`truncated`). Default: no bound. */
  maxBytes?: number;
}

/**
 * One matching line: its file, its number and the byte column of the first match (both from 1), and the line
 * without its newline (a carriage return kept). `pathBytes` is set when the path is not UTF-8, `textBytes` when
 * the line is not (`path`, `text` are then lossy).
 *
 * @example
 * const { path, line, column, text }: GrepMatch = result.matches[0];
 */
export interface GrepMatch {
  path: string;
  line: number;
  column: number;
  text: string;
  pathBytes?: Uint8Array;
  textBytes?: Uint8Array;
}

/**
 * The commit searched, its matching lines in path order, whether a bound stopped the search, and the binary files
 * not searched.
 *
 * @example
 * const result = await grepFiles(client, "notes", { pattern: "x" });
 * if (result.isOk()) {
 *   const { commit, matches, truncated }: GrepFilesResult = result.value;
 * }
 */
export interface GrepFilesResult {
  commit: string;
  matches: GrepMatch[];
  truncated: boolean;
  binarySkipped: string[];
}

/** Files read per fetch: a bound of bytes stops between batches, not after everything was fetched. */
const BATCH = 64;

/**
 * Searches the files of a branch, tag or commit for lines matching `pattern`, without a clone. Takes the three
 * targets `commitFiles` takes.
 *
 * @function
 * @example
 * const found = await grepFiles(client, "notes", { pattern: "TODO", paths: ["*.md"] });
 * if (found.isOk()) for (const { path, line, text } of found.value.matches) console.log(`${path}:${line}: ${text}`);
 */
export const grepFiles: GitCall<GrepFilesInput, GrepFilesResult> = gitCall({
  scope: "read",
  check: (input) => checkGrep(input).andThen(compiled),
  run: (access, { ref, paths, regex, maxMatches, maxBytes }) =>
    safeTry(async function* () {
      const selection = paths === undefined ? undefined : pathspec(paths);
      const found = yield* await filesAt(access.remote, ref ?? access.defaultBranch, selection, access.sources);
      const { commit, loader } = found;
      // git grep searches files: a symlink's target is no file's content.
      const files = found.files.filter((file) => kindOf(file.mode) !== "symlink");
      files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      const result: GrepFilesResult = { commit, matches: [], truncated: false, binarySkipped: [] };
      let read = 0;
      for (let start = 0; start < files.length && !result.truncated; start += BATCH) {
        const batch = files.slice(start, start + BATCH);
        yield* await loader.blobs(batch.map((file) => file.oid));
        for (const file of batch) {
          const content = await loader.store.blob(file.oid);
          read += content.length;
          if (read > maxBytes) {
            result.truncated = true;
            break;
          }
          if (isBinary(content)) {
            result.binarySkipped.push(namedPath(file.path).path);
            continue;
          }
          if (!searchFile(file.path, content, regex, maxMatches, result)) break;
        }
      }
      return ok(result);
    }),
});

/** Adds the matching lines of one file; false once `maxMatches` is reached (the result then `truncated`). */
function searchFile(
  path: ByteString,
  content: Uint8Array,
  regex: RegExp,
  maxMatches: number,
  result: GrepFilesResult,
): boolean {
  const text = toByteString(content);
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop(); // the newline that ends the last line starts none
  const { path: shown, pathBytes } = namedPath(path);
  for (const [index, line] of lines.entries()) {
    regex.lastIndex = 0;
    const match = regex.exec(line);
    if (!match) continue;
    if (result.matches.length >= maxMatches) {
      result.truncated = true;
      return false;
    }
    const decoded = decodeUtf8(line);
    result.matches.push({
      path: shown,
      line: index + 1,
      column: match.index + 1,
      text: decoded ?? new TextDecoder().decode(toBytes(line)),
      ...(pathBytes ? { pathBytes } : {}),
      ...(decoded === undefined ? { textBytes: toBytes(line) } : {}),
    });
  }
  return true;
}

/** The search's pattern compiled: git's ERE (or a fixed string) as a RegExp over the file's bytes. */
function compiled(grep: CheckedGrep): Result<CheckedGrep & { regex: RegExp }, InvalidInputError> {
  const refused = (text: string) => err(new InvalidInputError(text, "pattern"));
  const source = grep.fixedStrings ? escapeAll(fromUtf8(grep.pattern)) : fromEre(fromUtf8(grep.pattern));
  if (source === undefined) return refused("pattern does not compile: a bracket is not closed");
  try {
    return ok({ ...grep, regex: new RegExp(source, grep.ignoreCase ? "i" : "") });
  } catch (error) {
    return refused(`pattern does not compile: ${(error as Error).message}`);
  }
}

const escapeAll = (text: string) => text.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");

/**
 * An ERE as a JavaScript RegExp source: brackets read the POSIX way (a `]` first is a member, a backslash is
 * itself, `[:alpha:]` a class), `\<` and `\>` word boundaries; the rest is the same in both. Undefined where a
 * bracket never closes.
 */
function fromEre(pattern: ByteString): string | undefined {
  let out = "";
  for (let at = 0; at < pattern.length; at++) {
    const char = pattern[at] as string;
    if (char === "\\") {
      const next = pattern[++at];
      out += next === "<" || next === ">" ? "\\b" : `\\${next ?? "\\"}`;
    } else if (char === "[") {
      const set = bracket(pattern, at, true);
      if (set === undefined) return undefined;
      out += set.source;
      at = set.end;
    } else {
      out += char;
    }
  }
  return out;
}
