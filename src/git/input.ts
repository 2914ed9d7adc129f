import { err, ok, type Result } from "neverthrow";
import { InvalidInputError } from "../errors.js";
import { isOid } from "./upload-pack.js";

/**
 * What the data plane's calls take, and the checks that turn it into what they can send safely. Everything is
 * checked before anything is sent: a call refused here has minted no token and touched no repo.
 */

/**
 * Who wrote a commit (also its committer). `timestamp` is in unix seconds (default now); `timezoneOffset` in
 * minutes as `Date#getTimezoneOffset` counts them (`-120` for UTC+2; default the runtime's own offset).
 *
 * @example
 * const author: Author = { name: "Agent", email: "agent@example.com", timestamp: 1_764_000_000, timezoneOffset: 0 };
 */
export interface Author {
  name: string;
  email: string;
  timestamp?: number;
  timezoneOffset?: number;
}

/**
 * A commit as `commitFiles` takes it.
 *
 * @example
 * const input: CommitFilesInput = {
 *   message: "Add notes",
 *   author: { name: "Agent", email: "agent@example.com" },
 *   files: { "notes/today.md": "# Today\n", "logo.png": pngBytes, "old.txt": null },
 * };
 */
export interface CommitFilesInput {
  /** The commit message; git's cleanup applies (no carriage returns, one trailing newline). */
  message: string;
  author: Author;
  /** Path → new content (strings are UTF-8), or `null` to delete what is there (a file or a whole folder). */
  files: Record<string, string | Uint8Array | null>;
  /** Default: the repo's default branch. */
  branch?: string;
  /**
   * Compare-and-swap: the head the branch must have, or `null` when the branch must not exist yet. Omitted, the
   * files are applied to whatever the head is, and re-applied on the new head when a concurrent push wins.
   */
  parent?: string | null;
  /** Only when `branch` does not exist yet: start it at this branch's head, not with a root commit. */
  from?: string;
  /** A repo token (write scope) used as given. Default: one minted for this call and revoked after it. */
  token?: string;
}

/**
 * What `commitFiles` made: the new commit, its parent (`null` for a root commit), its tree and the branch it is on.
 *
 * @example
 * const { commit, parent, branch }: CommitFilesResult = (await commitFiles(client, "notes", input))._unsafeUnwrap();
 */
export interface CommitFilesResult {
  commit: string;
  parent: string | null;
  tree: string;
  branch: string;
}

/**
 * What `readFiles` reads.
 *
 * @example
 * const input: ReadFilesInput = { ref: "main", paths: ["README.md", "docs/"] };
 */
export interface ReadFilesInput {
  /** A branch, a tag or a commit id. Default: the repo's default branch. */
  ref?: string;
  /** Exact file paths, or folders with a trailing slash (`"docs/"`). Default: every file. */
  paths?: string[];
  /** A repo token (read or write scope) used as given. Default: one minted for this call and revoked after it. */
  token?: string;
}

/**
 * The files read, by path, at the commit the ref named.
 *
 * @example
 * const { commit, files }: ReadFilesResult = (await readFiles(client, "notes"))._unsafeUnwrap();
 */
export interface ReadFilesResult {
  commit: string;
  files: Map<string, Uint8Array>;
}

export interface CheckedCommit {
  message: string;
  author: Required<Author>;
  files: Map<string, Uint8Array | null>;
  branch: string | undefined;
  parent: string | null | undefined;
  from: string | undefined;
}

const utf8 = new TextEncoder();
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);

const refused = (message: string, field: string) => err(new InvalidInputError(message, field));

export function checkCommit(input: CommitFilesInput): Result<CheckedCommit, InvalidInputError> {
  if (!isRecord(input)) return refused("the commit must be an object", "input");
  const { message, author, files, branch, parent, from } = input;
  if (typeof message !== "string" || LONE_SURROGATE.test(message)) {
    return refused("message must be a well-formed string", "message");
  }
  const checkedAuthor = checkAuthor(author);
  if (checkedAuthor.isErr()) return err(checkedAuthor.error);
  for (const [field, value] of [
    ["branch", branch],
    ["from", from],
  ] as const) {
    if (value !== undefined && !isRefName(value)) {
      return refused(`${field} must be a valid branch name (letters, digits, ".", "_", "/", "-")`, field);
    }
  }
  if (parent !== undefined && parent !== null && !isOid(parent)) {
    return refused("parent must be a commit id (40 lowercase hex), or null for a branch that must not exist", "parent");
  }
  if (!isRecord(files)) return refused("files must be an object of path → content", "files");
  const checkedFiles = new Map<string, Uint8Array | null>();
  for (const [path, content] of Object.entries(files)) {
    if (!isFilePath(path)) {
      return refused(
        `files: ${JSON.stringify(path)} is not a file path (relative, "/"-separated, no empty, ".", ".." or ".git" part)`,
        "files",
      );
    }
    if (content === null) checkedFiles.set(path, null);
    else if (content instanceof Uint8Array) checkedFiles.set(path, content);
    else if (typeof content === "string" && !LONE_SURROGATE.test(content)) checkedFiles.set(path, utf8.encode(content));
    else return refused(`files: ${JSON.stringify(path)} must be a well-formed string, a Uint8Array or null`, "files");
  }
  // A path cannot be both a file and a folder of the same commit.
  for (const [path, content] of checkedFiles) {
    if (content === null) continue;
    for (let slash = path.indexOf("/"); slash !== -1; slash = path.indexOf("/", slash + 1)) {
      if (checkedFiles.get(path.slice(0, slash))) {
        return refused(`files: ${JSON.stringify(path.slice(0, slash))} cannot be a file and a folder at once`, "files");
      }
    }
  }
  return ok({ message, author: checkedAuthor.value, files: checkedFiles, branch, parent, from });
}

function checkAuthor(author: unknown): Result<Required<Author>, InvalidInputError> {
  if (!isRecord(author)) return refused("author must be { name, email }", "author");
  const { name, email, timestamp, timezoneOffset } = author;
  // These end up between `<` and `>` on one header line of the commit.
  const headerSafe = (value: unknown): value is string =>
    typeof value === "string" && value.trim() !== "" && !/[<>\n\r\0]/.test(value) && !LONE_SURROGATE.test(value);
  if (!headerSafe(name)) return refused("author.name must be a non-empty string without <, > or line breaks", "author");
  if (!headerSafe(email))
    return refused("author.email must be a non-empty string without <, > or line breaks", "author");
  if (timestamp !== undefined && !(Number.isSafeInteger(timestamp) && (timestamp as number) >= 0)) {
    return refused("author.timestamp must be whole unix seconds, 0 or more", "author");
  }
  if (
    timezoneOffset !== undefined &&
    !(Number.isInteger(timezoneOffset) && Math.abs(timezoneOffset as number) < 1440)
  ) {
    return refused("author.timezoneOffset must be whole minutes within a day", "author");
  }
  return ok({
    name,
    email,
    timestamp: (timestamp as number | undefined) ?? Math.floor(Date.now() / 1000),
    timezoneOffset: (timezoneOffset as number | undefined) ?? new Date().getTimezoneOffset(),
  });
}

export function checkRead(
  input: ReadFilesInput,
): Result<{ ref: string | undefined; paths: string[] | undefined }, InvalidInputError> {
  if (input !== undefined && !isRecord(input)) return refused("the read must be an object", "input");
  const { ref, paths } = input ?? {};
  if (ref !== undefined && !isRefName(ref) && !isOid(ref)) {
    return refused("ref must be a branch, a tag or a commit id", "ref");
  }
  if (paths !== undefined) {
    if (!Array.isArray(paths)) return refused("paths must be an array of paths", "paths");
    for (const path of paths) {
      const file = typeof path === "string" && path.endsWith("/") ? path.slice(0, -1) : path;
      if (!isFilePath(file)) return refused(`paths: ${JSON.stringify(path)} is not a file or folder path`, "paths");
    }
  }
  return ok({ ref, paths });
}

/**
 * `git check-ref-format --branch`, within the documented character set (`^[a-zA-Z0-9][a-zA-Z0-9._/-]*$`): no `..`,
 * no empty part or part starting with `.`, none ending in `.lock`, no trailing `/` or `.`. Shared with the local
 * server, which refuses what git would.
 */
export function isRefName(name: unknown): name is string {
  return (
    typeof name === "string" &&
    name.length <= 255 &&
    /^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(name) &&
    !/\.\.|\/\/|\/\.|\.lock(\/|$)|[/.]$/.test(name)
  );
}

function isFilePath(path: unknown): path is string {
  return (
    typeof path === "string" &&
    path.length <= 4096 &&
    !/[\0]/.test(path) &&
    !LONE_SURROGATE.test(path) &&
    path.split("/").every((part) => part !== "" && part !== "." && part !== ".." && part.toLowerCase() !== ".git")
  );
}
