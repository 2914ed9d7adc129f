import { err, ok, type Result, safeTry } from "neverthrow";
import { InvalidInputError } from "../errors.js";
import { isOid } from "./objects/hash.js";
import { pathProblem } from "./objects/path.js";

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
 * A file's new content as `commitFiles` takes it: text (written as UTF-8), bytes, a `Blob`, or `null` to delete.
 * A `Blob` (an R2 object's `blob()`, a form's `File`, Node's `fs.openAsBlob`) is never held whole: it is read once
 * to hash it and again as the push sends it (and again on each retry); one that changes meanwhile stops the push.
 *
 * @example
 * const files = new Map<string, FileContent>([["README.md", "# Notes\n"], ["old.txt", null]]);
 * // In a Worker: { "data/big.bin": await (await env.BUCKET.get("big.bin"))!.blob() }
 */
export type FileContent = string | Uint8Array | Blob | null;

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
  /**
   * The commit message; git's cleanup applies (no carriage returns, one trailing newline). A NUL is refused: git's
   * `fsck --strict` rejects such a commit.
   */
  message: string;
  author: Author;
  /**
   * Path → new content (strings are UTF-8), or `null` to delete what is there (a file or a whole folder). A plain
   * object or a `Map`, so what `readFiles` returns can be edited and written back. Paths Git would refuse to check
   * out on some platform (a backslash, `.git` in any of its aliases) are refused before anything is sent.
   */
  files: Record<string, FileContent> | ReadonlyMap<string, FileContent>;
  /** Default: the repo's default branch. A name `git check-ref-format --branch` accepts (not `HEAD`). */
  branch?: string;
  /**
   * Compare-and-swap: the head the branch must have, or `null` when the branch must not exist yet. Omitted, the
   * files are applied to whatever the head is, and re-applied on the new head when a concurrent push wins.
   */
  parent?: string | null;
  /** Only when `branch` does not exist yet: start it at this branch's head, not with a root commit. */
  from?: string;
  /**
   * Push a commit even when its tree equals its parent's. Default `false`: such a commit is not made, and the
   * result says `unchanged: true`.
   */
  allowEmpty?: boolean;
  /** A repo token (write scope) used as given. Default: one minted (or kept from an earlier call: session.ts). */
  token?: string;
}

/**
 * What `commitFiles` made: the new commit, its parent (`null` for a root commit), its tree and the branch it is on.
 * `unchanged` is true when the files changed nothing and `allowEmpty` was not set: then no commit was made, and
 * `commit` and `parent` are both the head the files were compared with (a new branch started `from` another is
 * created at that branch's head).
 *
 * @example
 * const result = await commitFiles(client, "notes", input);
 * if (result.isOk()) {
 *   const { commit, parent, branch, unchanged }: CommitFilesResult = result.value;
 * }
 */
export interface CommitFilesResult {
  commit: string;
  parent: string | null;
  tree: string;
  branch: string;
  unchanged: boolean;
}

/**
 * What `readFiles` reads.
 *
 * @example
 * const input: ReadFilesInput = { ref: "main", paths: ["README.md", "docs/"] };
 */
export interface ReadFilesInput {
  /** A branch, a tag or a commit id. Default (or `"HEAD"`): the repo's default branch. */
  ref?: string;
  /**
   * Exact file paths, folders with a trailing slash (`"docs/"`), or globs as git's pathspec reads them (`"*.md"`,
   * `"src/**\/*.ts"`: `*` crosses folders; only the folders under a glob's fixed prefix are read). Default: every file.
   */
  paths?: string[];
  /** A repo token (read or write scope) used as given. Default: one minted (or kept from an earlier call: session.ts). */
  token?: string;
}

/**
 * A file whose stored path is not valid UTF-8 (Git keeps names as bytes; someone may have pushed one): no JS string
 * names it one-to-one, so it is reported with its path's exact bytes.
 *
 * @example
 * const result = await readFiles(client, "legacy");
 * if (result.isOk()) {
 *   const { nonUtf8Files } = result.value;
 *   for (const file of nonUtf8Files) console.log(file.path, file.pathBytes, file.content.length);
 * }
 */
export interface NonUtf8File {
  /** A lossy rendering of the path (its bytes are not valid UTF-8). */
  path: string;
  /** The path's bytes, exactly. */
  pathBytes: Uint8Array;
  content: Uint8Array;
}

/**
 * The files read, by path, at the commit the ref named: every selected file exactly once, in `files` when its path
 * is valid UTF-8 (the key then encodes back to exactly the stored bytes), else in `nonUtf8Files`.
 *
 * @example
 * const result = await readFiles(client, "notes");
 * if (result.isOk()) {
 *   const { commit, files }: ReadFilesResult = result.value;
 * }
 */
export interface ReadFilesResult {
  commit: string;
  files: Map<string, Uint8Array>;
  nonUtf8Files: NonUtf8File[];
}

export interface CheckedCommit {
  message: string;
  author: Required<Author>;
  files: Map<string, Uint8Array | Blob | null>;
  branch: string | undefined;
  parent: string | null | undefined;
  from: string | undefined;
  allowEmpty: boolean;
}

const utf8 = new TextEncoder();
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);

/** A `Blob` (or `File`); where a runtime has no `Blob`, nothing is one. */
const isBlob = (value: unknown): value is Blob => typeof Blob === "function" && value instanceof Blob;

const refused = (message: string, field: string) => err(new InvalidInputError(message, field));

/** A commit's or a tag's message: text that is UTF-8 when encoded (no lone surrogate), without NUL (git's end). */
export const isMessage = (message: unknown): message is string =>
  typeof message === "string" && !LONE_SURROGATE.test(message) && !message.includes("\0");

/** Checks a commit. A getter or Proxy of the caller's that throws is caught by the call (access.ts `guard`). */
export function checkCommit(input: CommitFilesInput | undefined): Result<CheckedCommit, InvalidInputError> {
  return safeTry(function* () {
    if (!isRecord(input)) return refused("the commit must be an object", "input");
    const { message, author, files, branch, parent, from, allowEmpty } = input;
    if (!isMessage(message)) return refused("message must be a well-formed string without NUL", "message");
    const checkedAuthor = yield* checkAuthor(author);
    if (branch !== undefined) yield* branchField("branch", branch);
    if (from !== undefined) yield* branchField("from", from);
    if (parent !== undefined && parent !== null && !isOid(parent)) {
      return refused(
        "parent must be a commit id (40 lowercase hex), or null for a branch that must not exist",
        "parent",
      );
    }
    if (allowEmpty !== undefined && typeof allowEmpty !== "boolean") {
      return refused("allowEmpty must be a boolean", "allowEmpty");
    }
    const plain = isRecord(files) && [Object.prototype, null].includes(Object.getPrototypeOf(files));
    const entries = files instanceof Map ? [...files] : plain ? Object.entries(files) : undefined;
    if (entries === undefined) return refused("files must be an object or a Map of path → content", "files");
    const checkedFiles = new Map<string, Uint8Array | Blob | null>();
    for (const [path, content] of entries) {
      const problem = typeof path === "string" ? pathProblem(path) : "it is not a string";
      if (problem !== undefined) {
        return refused(`files: ${JSON.stringify(String(path))} cannot be written: ${problem}`, "files");
      }
      if (content === null) checkedFiles.set(path, null);
      else if (content instanceof Uint8Array || isBlob(content)) checkedFiles.set(path, content);
      else if (typeof content === "string" && !LONE_SURROGATE.test(content))
        checkedFiles.set(path, utf8.encode(content));
      else
        return refused(
          `files: ${JSON.stringify(path)} must be a well-formed string, a Uint8Array, a Blob or null`,
          "files",
        );
    }
    // A path cannot be both a file and a folder of the same commit.
    for (const [path, content] of checkedFiles) {
      if (content === null) continue;
      for (let slash = path.indexOf("/"); slash !== -1; slash = path.indexOf("/", slash + 1)) {
        if (checkedFiles.get(path.slice(0, slash))) {
          return refused(
            `files: ${JSON.stringify(path.slice(0, slash))} cannot be a file and a folder at once`,
            "files",
          );
        }
      }
    }
    return ok({
      message,
      author: checkedAuthor,
      files: checkedFiles,
      branch,
      parent,
      from,
      allowEmpty: allowEmpty ?? false,
    });
  });
}

/** Checks a commit's author (or a tag's tagger: `field`), filling in the time and zone as of now. */
export function checkAuthor(author: unknown, field = "author"): Result<Required<Author>, InvalidInputError> {
  if (!isRecord(author)) return refused(`${field} must be { name, email }`, field);
  const { name, email, timestamp, timezoneOffset } = author;
  // These end up between `<` and `>` on one header line of the commit: what fsck --strict calls a bad name or email.
  const headerSafe = (value: unknown): value is string =>
    typeof value === "string" && value.trim() !== "" && !/[<>\n\r\0]/.test(value) && !LONE_SURROGATE.test(value);
  if (!headerSafe(name)) return refused(`${field}.name must be a non-empty string without <, > or line breaks`, field);
  if (!headerSafe(email))
    return refused(`${field}.email must be a non-empty string without <, > or line breaks`, field);
  if (timestamp !== undefined && !(Number.isSafeInteger(timestamp) && (timestamp as number) >= 0)) {
    return refused(`${field}.timestamp must be whole unix seconds, 0 or more`, field);
  }
  if (
    timezoneOffset !== undefined &&
    !(Number.isInteger(timezoneOffset) && Math.abs(timezoneOffset as number) < 1440)
  ) {
    return refused(`${field}.timezoneOffset must be whole minutes within a day`, field);
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
  // HEAD is the default branch, which is what no ref reads.
  return defaultRef("ref", ref).andThen((checked) =>
    checkPaths(paths).map((given) => ({ ref: checked, paths: given })),
  );
}

/** `paths` of a reading call, copied: files, folders (a trailing `/`) or globs, none empty, `.` or `..`. */
export function checkPaths(paths: unknown): Result<string[] | undefined, InvalidInputError> {
  if (paths === undefined) return ok(undefined);
  if (!Array.isArray(paths)) return refused("paths must be an array of paths", "paths");
  for (const path of paths) {
    const file = typeof path === "string" && path.endsWith("/") ? path.slice(0, -1) : path;
    if (!isReadablePath(file)) return refused(`paths: ${JSON.stringify(path)} is not a file or folder path`, "paths");
  }
  return ok([...paths]);
}

/**
 * What `readFileStream` reads: one file's path (not a folder), at a ref.
 *
 * @example
 * const input: ReadFileStreamInput = { path: "data/big.bin", ref: "main" };
 */
export interface ReadFileStreamInput {
  path: string;
  /** A branch, a tag or a commit id. Default (or `"HEAD"`): the repo's default branch. */
  ref?: string;
  /** A repo token (read or write scope) used as given. Default: one minted (or kept from an earlier call: session.ts). */
  token?: string;
}

/**
 * A file as `readFileStream` gives it: the commit the ref named, its path, mode (`100644`, `100755`, `120000` for a
 * symlink), size in bytes, and its bytes as they arrive. The stream is checked against the file's id as it passes:
 * a cut, a failure or bytes of another id error it (its last chunk is held back until the id is checked).
 *
 * @example
 * const result = await readFileStream(handle, { path: "data/big.bin" });
 * if (result.isOk()) {
 *   const { size, stream }: FileStream = result.value;
 *   return new Response(stream, { headers: { "content-length": String(size) } });
 * }
 */
export interface FileStream {
  commit: string;
  path: string;
  mode: string;
  size: number;
  stream: ReadableStream<Uint8Array>;
}

export function checkStreamRead(
  input: ReadFileStreamInput,
): Result<{ ref: string | undefined; path: string }, InvalidInputError> {
  if (!isRecord(input)) return refused("the read must be an object", "input");
  if (!isReadablePath(input.path)) return refused("path must be a file's path (no empty, . or .. part)", "path");
  return checkRead({ ref: input.ref }).map(({ ref }) => ({ ref, path: input.path }));
}

/**
 * `git check-ref-format --branch`, within the documented character set (`^[a-zA-Z0-9][a-zA-Z0-9._/-]*$`): no `..`,
 * no empty part or part starting with `.`, none ending in `.lock`, no trailing `/` or `.`, and not `HEAD` (git
 * refuses `refs/heads/HEAD` as a branch). Shared with the local server, which refuses what git would.
 */
export function isRefName(name: unknown): name is string {
  return (
    typeof name === "string" &&
    name.length <= 255 &&
    name !== "HEAD" &&
    /^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(name) &&
    !/\.\.|\/\/|\/\.|\.lock(\/|$)|[/.]$/.test(name)
  );
}

/**
 * A path a read may name: relative, `/`-separated, without empty, `.` or `..` parts. Reads take whatever is in the
 * tree (a backslash, a `.git` alias someone else pushed), so this is looser than what a commit may write.
 */
function isReadablePath(path: unknown): path is string {
  return (
    typeof path === "string" &&
    path.length <= 4096 &&
    !path.includes("\0") &&
    !LONE_SURROGATE.test(path) &&
    path.split("/").every((part) => part !== "" && part !== "." && part !== "..")
  );
}

// The rules the calls share, each worded once: a ref, a branch, a commit id, a side of a diff or a merge.

const BRANCH_RULE = 'must be a valid branch name (letters, digits, ".", "_", "/", "-"; not HEAD)';
const REF_RULE = "must be a branch, a tag, a commit id or HEAD";
const COMMIT_RULE = "must be a commit id (40 lowercase hex)";
const SPEC_RULE = "must be a branch, a tag, a commit id, or { repo, ref }";

type Checked<T> = Result<T, InvalidInputError>;

/** A ref any call takes: a branch, a tag, a commit id, or `HEAD` (the repo's default branch). */
const isRef = (ref: unknown): ref is string =>
  typeof ref === "string" && (ref === "HEAD" || isRefName(ref) || isOid(ref));

/** The input as an object (`what`: "the merge"), or the refusal. */
export const objectInput = (input: unknown, what: string): Checked<Record<string, unknown>> =>
  isRecord(input) ? ok(input) : refused(`${what} must be an object`, "input");

/** A ref (`HEAD` included), as given. */
export const refField = (field: string, ref: unknown): Checked<string> =>
  isRef(ref) ? ok(ref) : refused(`${field} ${REF_RULE}`, field);

/** A ref that may be left out: undefined (or `HEAD`) is the repo's default branch, which reads as no ref. */
export const defaultRef = (field: string, ref: unknown): Checked<string | undefined> =>
  ref === undefined ? ok(undefined) : refField(field, ref).map((given) => (given === "HEAD" ? undefined : given));

/** A branch's name, as `git check-ref-format --branch` takes it. */
export const branchField = (field: string, name: unknown): Checked<string> =>
  isRefName(name) ? ok(name) : refused(`${field} ${BRANCH_RULE}`, field);

/** A commit id that may be left out (a compare-and-swap's `parent`). */
export const commitField = (field: string, oid: unknown): Checked<string | undefined> =>
  oid === undefined || isOid(oid) ? ok(oid) : refused(`${field} ${COMMIT_RULE}`, field);

/** A boolean that may be left out, as `fallback`. */
export const booleanField = (field: string, value: unknown, fallback = false): Checked<boolean> =>
  value === undefined
    ? ok(fallback)
    : typeof value === "boolean"
      ? ok(value)
      : refused(`${field} must be a boolean`, field);

/** A message (a commit's, a tag's) that may be left out. */
export const messageField = (field: string, message: unknown): Checked<string | undefined> =>
  message === undefined || isMessage(message)
    ? ok(message)
    : refused(`${field} must be a well-formed string without NUL`, field);

/**
 * A commit to compare or merge: a ref of the target repo, or `{ repo, ref }` for another repo of the same namespace
 * (a fork and its source; client form only; `ref` defaults to its default branch).
 *
 * @example
 * const spec: RefSpec = { repo: "baseline", ref: "main" };
 */
export type RefSpec = string | { repo: string; ref?: string };

/** One side of a diff or a merge: a ref, or `{ repo, ref }` of another repo (with a client only). */
export function specField(field: string, spec: unknown, client: boolean): Checked<RefSpec> {
  if (typeof spec === "string") return isRef(spec) ? ok(spec) : refused(`${field} ${SPEC_RULE}`, field);
  if (!isRecord(spec) || typeof spec.repo !== "string" || spec.repo === "") {
    return refused(`${field} ${SPEC_RULE}`, field);
  }
  if (!client) return refused(`${field}: another repo can be named with a client only`, field);
  const { repo, ref } = spec;
  if (ref !== undefined && !isRef(ref)) return refused(`${field}.ref ${REF_RULE}`, field);
  return ok(ref === undefined ? { repo } : { repo, ref });
}

/** `createBranch`'s input, checked. */
export const checkCreateBranch = (input: unknown): Checked<{ name: string; from: string }> =>
  safeTry(function* () {
    const { name, from } = isRecord(input) ? input : {};
    return ok({ name: yield* branchField("name", name), from: yield* refField("from", from) });
  });

/** `deleteBranch`'s input (and `deleteTag`'s: `kind`), checked. */
export const checkDeleteRef = (
  input: unknown,
  kind: "branch" | "tag" = "branch",
): Checked<{ name: string; parent: string | undefined }> =>
  safeTry(function* () {
    const { name, parent } = isRecord(input) ? input : {};
    const checked = kind === "branch" ? yield* branchField("name", name) : yield* tagField(name);
    return ok({ name: checked, parent: yield* commitField("parent", parent) });
  });

const tagField = (name: unknown): Checked<string> =>
  isRefName(name) ? ok(name) : refused("name must be a valid tag name", "name");

/** `createTag`'s input, checked: a lightweight tag, or with `message` an annotated one. */
export function checkTag(
  input: unknown,
): Checked<{ name: string; from: string; annotation?: { tagger: Required<Author>; message: string } }> {
  return safeTry(function* () {
    const { name, from, message, tagger } = isRecord(input) ? input : {};
    const checked = { name: yield* tagField(name), from: yield* refField("from", from) };
    if (message === undefined) {
      if (tagger !== undefined) return refused("tagger is for an annotated tag: give a message too", "message");
      return ok(checked);
    }
    const text = (yield* messageField("message", message)) as string;
    return ok({ ...checked, annotation: { tagger: yield* checkAuthor(tagger, "tagger"), message: text } });
  });
}

/** What `diffRefs` compares, checked. */
export interface CheckedDiff {
  from: RefSpec;
  to: RefSpec;
  paths: string[] | undefined;
  contents: boolean;
}

export const checkDiff = (input: unknown, { client }: { client: boolean }): Checked<CheckedDiff> =>
  safeTry(function* () {
    const { from, to, paths, contents } = yield* objectInput(input, "the diff");
    return ok({
      from: yield* specField("from", from, client),
      to: yield* specField("to", to, client),
      paths: yield* checkPaths(paths),
      contents: yield* booleanField("contents", contents),
    });
  });

/** What `mergeRefs` merges, checked. */
export interface CheckedMerge {
  allowUnrelatedHistories: boolean;
  resolutions: Map<string, Uint8Array | null>;
  from: RefSpec;
  into: string;
  message: string | undefined;
  author: Required<Author>;
  parent: string | undefined;
  squash: boolean;
  fastForward: "allow" | "never" | "only";
}

export const checkMerge = (input: unknown, { client }: { client: boolean }): Checked<CheckedMerge> =>
  safeTry(function* () {
    const merge = yield* objectInput(input, "the merge");
    const allowUnrelatedHistories = yield* booleanField("allowUnrelatedHistories", merge.allowUnrelatedHistories);
    const resolutions = yield* checkResolutions(merge.resolutions);
    const from = yield* specField("from", merge.from, client);
    const into = yield* branchField("into", merge.into);
    const parent = yield* commitField("parent", merge.parent);
    const squash = yield* booleanField("squash", merge.squash);
    const { fastForward = "allow" } = merge;
    if (fastForward !== "allow" && fastForward !== "never" && fastForward !== "only") {
      return refused('fastForward must be "allow", "never" or "only"', "fastForward");
    }
    // The commit's metadata, checked as commitFiles checks it.
    const message = yield* messageField("message", merge.message);
    const author = yield* checkAuthor(merge.author);
    return ok({ allowUnrelatedHistories, resolutions, from, into, message, author, parent, squash, fastForward });
  });

/** A merge's resolutions: path → bytes, well-formed text (as UTF-8) or null (deleted). */
function checkResolutions(resolutions: unknown): Checked<Map<string, Uint8Array | null>> {
  const resolved = new Map<string, Uint8Array | null>();
  if (resolutions === undefined) return ok(resolved);
  if (!isRecord(resolutions))
    return refused("resolutions must be an object of path → bytes, text or null", "resolutions");
  for (const [path, content] of Object.entries(resolutions)) {
    if (content === null || content instanceof Uint8Array) resolved.set(path, content);
    else if (typeof content === "string" && !LONE_SURROGATE.test(content)) resolved.set(path, utf8.encode(content));
    else return refused(`resolutions: ${JSON.stringify(path)} must be bytes, well-formed text or null`, "resolutions");
  }
  return ok(resolved);
}

/** What `cherryPick` and `revertCommits` apply, checked. */
export interface CheckedPick {
  commits: string[];
  branch: string;
  author: Required<Author>;
  parent: string | undefined;
  message: string | undefined;
}

export const MAX_PICKED = 100;

/** `cherryPick`'s input (its branch is `into`) or `revertCommits'` (`branch`, and a `message`). */
export const checkPick = (input: unknown, field: "into" | "branch"): Checked<CheckedPick> =>
  safeTry(function* () {
    const pick = yield* objectInput(input, "the input");
    const { commits } = pick;
    if (!Array.isArray(commits) || commits.length === 0 || commits.length > MAX_PICKED) {
      return refused(`commits must be an array of 1 to ${MAX_PICKED} commits`, "commits");
    }
    if (!commits.every((commit) => isOid(commit) || isRefName(commit))) {
      return refused("commits must be commit ids, branches or tags", "commits");
    }
    const branch = yield* branchField(field, pick[field]);
    const parent = yield* commitField("parent", pick.parent);
    const author = yield* checkAuthor(pick.author);
    const message = field === "branch" ? yield* messageField("message", pick.message) : undefined;
    return ok({ commits: [...commits] as string[], branch, author, parent, message });
  });

/** What `grepFiles` searches, checked (its pattern compiled by grep.ts). */
export interface CheckedGrep {
  pattern: string;
  ref: string | undefined;
  paths: string[] | undefined;
  fixedStrings: boolean;
  ignoreCase: boolean;
  maxMatches: number;
  maxBytes: number;
}

export const DEFAULT_MAX_MATCHES = 1000;

export const checkGrep = (input: unknown): Checked<CheckedGrep> =>
  safeTry(function* () {
    const grep = yield* objectInput(input, "the search");
    const { pattern, maxMatches = DEFAULT_MAX_MATCHES, maxBytes = Number.POSITIVE_INFINITY } = grep;
    if (typeof pattern !== "string" || pattern.includes("\n") || pattern.includes("\0")) {
      return refused("pattern must be a string of one line", "pattern");
    }
    const ref = yield* defaultRef("ref", grep.ref);
    const fixedStrings = yield* booleanField("fixedStrings", grep.fixedStrings);
    const ignoreCase = yield* booleanField("ignoreCase", grep.ignoreCase);
    if (!Number.isSafeInteger(maxMatches) || (maxMatches as number) < 1) {
      return refused("maxMatches must be a whole number of at least 1", "maxMatches");
    }
    if (maxBytes !== Number.POSITIVE_INFINITY && (!Number.isSafeInteger(maxBytes) || (maxBytes as number) < 0)) {
      return refused("maxBytes must be a whole number of bytes", "maxBytes");
    }
    const paths = yield* checkPaths(grep.paths);
    return ok({ pattern, ref, paths, fixedStrings, ignoreCase, maxMatches, maxBytes } as CheckedGrep);
  });

/** What `listCommits` lists, checked: `tip` and `offset` from the cursor of the page before. */
export interface CheckedLog {
  ref: string | undefined;
  paths: string[] | undefined;
  limit: number;
  tip: string | undefined;
  offset: number;
  firstParent: boolean;
}

export const DEFAULT_LOG_LIMIT = 100;
export const MAX_LOG_LIMIT = 1000;

export const checkLog = (input: unknown): Checked<CheckedLog> =>
  safeTry(function* () {
    const log = input === undefined ? {} : yield* objectInput(input, "the input");
    const ref = yield* defaultRef("ref", log.ref);
    const { limit = DEFAULT_LOG_LIMIT, cursor } = log;
    if (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > MAX_LOG_LIMIT) {
      return refused(`limit must be a whole number from 1 to ${MAX_LOG_LIMIT}`, "limit");
    }
    const page = cursor === undefined ? undefined : /^([0-9a-f]{40})\.(\d{1,9})$/.exec(cursor as string);
    if (cursor !== undefined && !page) return refused("cursor must be one a page of listCommits returned", "cursor");
    const firstParent = yield* booleanField("firstParent", log.firstParent);
    const paths = yield* checkPaths(log.paths);
    return ok({ ref, paths, limit: limit as number, tip: page?.[1], offset: Number(page?.[2] ?? 0), firstParent });
  });
