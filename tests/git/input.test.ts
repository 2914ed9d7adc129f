import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type CommitFilesInput, commitFiles, readFiles } from "../../src/git/index.js";
import {
  booleanField,
  branchField,
  checkCommit,
  checkCreateBranch,
  checkDeleteRef,
  checkGrep,
  checkLog,
  checkMerge,
  checkPick,
  checkRead,
  checkStreamRead,
  checkTag,
  commitField,
  defaultRef,
  isRefName,
  messageField,
  refField,
  specField,
} from "../../src/git/input.js";
import { createClient } from "../../src/index.js";

/**
 * What the data plane refuses before anything is sent: every case below is an `InvalidInputError` naming what was
 * wrong, and no request reaches the network (no token minted, no repo touched). No server: a fetch that counts.
 */

const sent: string[] = [];
const counting = async (input: RequestInfo | URL) => {
  sent.push(String(input instanceof Request ? input.url : input));
  return new Response("not expected", { status: 599 });
};
beforeEach(() => {
  sent.length = 0;
  vi.stubGlobal("fetch", counting);
});
afterEach(() => vi.unstubAllGlobals());

const client = createClient({ accountId: "acc", apiToken: "an-api-token-for-tests", retry: 0, fetch: counting });
const author = { name: "Ada", email: "ada@example.com" };
const TOKEN = `art_v1_${"0".repeat(40)}`;
const commit = (override: Record<string, unknown>) =>
  commitFiles(client, "notes", { message: "m", author, files: { ok: "x" }, ...override } as CommitFilesInput);

describe("paths a commit may write", () => {
  it.each([
    ["a backslash", "a\\b", "it holds a backslash"],
    ["a backslash before .git", "x\\.git\\config", "it holds a backslash"],
    [".git", ".git/config", 'its part ".git" names .git on some filesystem'],
    [".git in capitals", "src/.GIT/hooks/x", 'its part ".GIT" names .git on some filesystem'],
    [".git with a trailing dot (NTFS)", ".git./x", 'its part ".git." names .git on some filesystem'],
    [".git with trailing spaces and dots (NTFS)", ".git . ./x", 'its part ".git . ." names .git on some filesystem'],
    ["the 8.3 short name git~1 (NTFS)", "git~1/config", 'its part "git~1" names .git on some filesystem'],
    ["GIT~1 (NTFS)", "a/GIT~1", 'its part "GIT~1" names .git on some filesystem'],
    ["an NTFS stream of .git", ".git::$INDEX_ALLOCATION/x", "names .git on some filesystem"],
    ["a zero-width non-joiner in .git (HFS+)", ".g\u200cit/hooks/x", "names .git on some filesystem"],
    ["a byte-order mark in .git (HFS+)", "\ufeff.git/x", "names .git on some filesystem"],
    ["a right-to-left mark in .Git (HFS+)", ".Gi\u200ft/x", "names .git on some filesystem"],
    ["..", "../escape", "it has a .. part"],
    [".", "./a", "it has a . part"],
    ["an empty part", "a//b", "it has an empty part (a leading, trailing or double /)"],
    ["a leading /", "/abs", "it has an empty part (a leading, trailing or double /)"],
    ["a trailing /", "dir/", "it has an empty part (a leading, trailing or double /)"],
    ["a NUL", "a\0b", "it holds a NUL"],
    ["a lone surrogate", "a\uD800", "it holds a lone surrogate (not encodable as UTF-8)"],
    ["nothing", "", "it is empty"],
    ["over 4096 characters", "a".repeat(4097), "it is longer than 4096 characters"],
  ])("refuses %s", async (_, path, problem) => {
    const error = (await commit({ files: { [path]: "x" } }))._unsafeUnwrapErr();
    expect(error).toMatchObject({ _tag: "InvalidInputError", field: "files" });
    expect(error.message).toContain(problem);
    expect(error.message).toContain(JSON.stringify(path).slice(0, 40));
    expect(sent).toEqual([]);
  });

  it("takes names that only look like .git, and the same refusals from a Map", async () => {
    // Accepted here means: checked and sent on (the counting fetch then answers 599).
    for (const path of [
      ".gitignore",
      ".github/workflows/ci.yml",
      "git~10",
      "git~1x",
      ".git-x",
      "a.git",
      "x/.gitmodules",
    ]) {
      const result = await commit({ files: { [path]: "x" } });
      expect(result._unsafeUnwrapErr(), path).toMatchObject({ _tag: "HttpError" });
    }
    sent.length = 0;
    const map = await commit({ files: new Map([["a\\b", "x"]]) });
    expect(map._unsafeUnwrapErr()).toMatchObject({ _tag: "InvalidInputError", field: "files" });
    expect(sent).toEqual([]);
  });
});

describe("commit metadata and options", () => {
  it.each([
    ["a NUL in the message", { message: "one\0two" }, "message"],
    ["a lone surrogate in the message", { message: "\uDC00" }, "message"],
    ["< in the author's name", { author: { name: "A <b", email: "a@b" } }, "author"],
    ["> in the author's name", { author: { name: "A >", email: "a@b" } }, "author"],
    ["a newline in the author's name", { author: { name: "A\nB", email: "a@b" } }, "author"],
    ["a NUL in the author's name", { author: { name: "A\0", email: "a@b" } }, "author"],
    ["an empty name", { author: { name: " ", email: "a@b" } }, "author"],
    ["> in the email", { author: { name: "A", email: "a>b" } }, "author"],
    ["a newline in the email", { author: { name: "A", email: "a@b\n" } }, "author"],
    ["a fractional timestamp", { author: { ...author, timestamp: 1.5 } }, "author"],
    ["a timezone beyond a day", { author: { ...author, timezoneOffset: 1440 } }, "author"],
    ["branch HEAD", { branch: "HEAD" }, "branch"],
    ["from HEAD", { from: "HEAD" }, "from"],
    ["a branch git refuses", { branch: "a..b" }, "branch"],
    ["a parent that is not a commit id", { parent: "main" }, "parent"],
    ["allowEmpty that is not a boolean", { allowEmpty: "yes" }, "allowEmpty"],
    ["files as an array", { files: [["a", "x"]] }, "files"],
    ["files as a Set", { files: new Set(["a"]) }, "files"],
    ["a Map with a non-string key", { files: new Map([[1, "x"]]) }, "files"],
    ["a Map with a number for content", { files: new Map([["a", 1]]) }, "files"],
    ["a token in no issued format", { token: "ghp_abcdefghijklmnopqrstuvwxyz" }, "token"],
    ["a v2 token of an unknown kind", { token: `art_v2_q_${"0".repeat(40)}` }, "token"],
  ])("refuses %s", async (_, override, field) => {
    expect((await commit(override))._unsafeUnwrapErr()).toMatchObject({ _tag: "InvalidInputError", field });
    expect(sent).toEqual([]);
  });

  it("is an Err, not a throw, when a getter or a Proxy of the caller's throws", async () => {
    const throwing = {
      message: "m",
      author,
      get files(): Record<string, string> {
        throw new Error(`boom ${TOKEN}`);
      },
    } as CommitFilesInput;
    const getter = await commitFiles(client, "notes", throwing);
    expect(getter._unsafeUnwrapErr()).toMatchObject({ _tag: "InvalidInputError", field: "input" });
    expect(getter._unsafeUnwrapErr().message).toBe("the input could not be read: boom art_v1_[REDACTED]");

    const proxy = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new TypeError("no keys for you");
        },
      },
    );
    const proxied = await commit({ files: proxy });
    expect(proxied._unsafeUnwrapErr().message).toBe("the input could not be read: no keys for you");
    const options = new Proxy(
      {},
      {
        get: () => {
          throw new Error("options trap");
        },
      },
    );
    const read = await readFiles({ remote: "http://127.0.0.1:1/r.git", token: TOKEN }, {}, options);
    expect(read._unsafeUnwrapErr().message).toBe("the input could not be read: options trap");
    expect(sent).toEqual([]);
  });

  it("reads are refused the same way before anything is sent", async () => {
    for (const input of [{ ref: "a..b" }, { paths: "a" }, { paths: ["../x"] }, { paths: [""] }]) {
      const result = await readFiles(client, "notes", input as never);
      expect(result._unsafeUnwrapErr(), JSON.stringify(input)).toMatchObject({ _tag: "InvalidInputError" });
    }
    expect(sent).toEqual([]);
  });
});

describe("checkCommit, checkAuthor and checkRead: each rule on its own", () => {
  const base = {
    message: "m",
    author: { ...author, timestamp: 1_767_225_600, timezoneOffset: -120 },
    files: { a: "x" },
  };
  const refusal = (input: unknown) => checkCommit(input as CommitFilesInput)._unsafeUnwrapErr();

  it("gives back what it checked: files as bytes (deletes as null), author whole, allowEmpty false", () => {
    const checked = checkCommit({ ...base, files: { a: "é", b: Uint8Array.of(1), c: null } })._unsafeUnwrap();
    expect(checked).toEqual({
      message: "m",
      author: { name: "Ada", email: "ada@example.com", timestamp: 1_767_225_600, timezoneOffset: -120 },
      files: new Map<string, Uint8Array | null>([
        ["a", Uint8Array.of(0xc3, 0xa9)],
        ["b", Uint8Array.of(1)],
        ["c", null],
      ]),
      branch: undefined,
      parent: undefined,
      from: undefined,
      allowEmpty: false,
    });
    expect(
      checkCommit({ ...base, allowEmpty: true, branch: "b", from: "main", parent: null })._unsafeUnwrap(),
    ).toMatchObject({
      allowEmpty: true,
      branch: "b",
      from: "main",
      parent: null,
    });
  });

  it("takes a Map and a null-prototype object, and fills the author's time and zone from the clock", () => {
    const bare = Object.assign(Object.create(null), { a: "x" });
    expect(
      checkCommit({ ...base, files: bare })
        ._unsafeUnwrap()
        .files.get("a"),
    ).toEqual(Uint8Array.of(0x78));
    expect(checkCommit({ ...base, files: new Map([["m", "y"]]) })._unsafeUnwrap().files.size).toBe(1);
    const before = Math.floor(Date.now() / 1000);
    const filled = checkCommit({ ...base, author })._unsafeUnwrap().author;
    expect(filled.timestamp).toBeGreaterThanOrEqual(before);
    expect(filled.timestamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(filled.timezoneOffset).toBe(new Date().getTimezoneOffset());
  });

  it.each([
    [null, "the commit must be an object", "input"],
    [[], "the commit must be an object", "input"],
    [Uint8Array.of(1), "the commit must be an object", "input"],
    [{ ...base, message: 1 }, "message must be a well-formed string without NUL", "message"],
    [{ ...base, message: "a\0b" }, "message must be a well-formed string without NUL", "message"],
    [{ ...base, message: "\uD800" }, "message must be a well-formed string without NUL", "message"],
    [{ ...base, author: "Ada" }, "author must be { name, email }", "author"],
    [
      { ...base, author: { email: "e@x" } },
      "author.name must be a non-empty string without <, > or line breaks",
      "author",
    ],
    [
      { ...base, author: { name: " ", email: "e@x" } },
      "author.name must be a non-empty string without <, > or line breaks",
      "author",
    ],
    [
      { ...base, author: { name: "A<", email: "e@x" } },
      "author.name must be a non-empty string without <, > or line breaks",
      "author",
    ],
    [
      { ...base, author: { name: "A\rB", email: "e@x" } },
      "author.name must be a non-empty string without <, > or line breaks",
      "author",
    ],
    [
      { ...base, author: { name: "\uDC00", email: "e@x" } },
      "author.name must be a non-empty string without <, > or line breaks",
      "author",
    ],
    [
      { ...base, author: { name: "A", email: "e>x" } },
      "author.email must be a non-empty string without <, > or line breaks",
      "author",
    ],
    [
      { ...base, author: { name: "A", email: "" } },
      "author.email must be a non-empty string without <, > or line breaks",
      "author",
    ],
    [
      { ...base, author: { ...author, timestamp: -1 } },
      "author.timestamp must be whole unix seconds, 0 or more",
      "author",
    ],
    [
      { ...base, author: { ...author, timestamp: 1.5 } },
      "author.timestamp must be whole unix seconds, 0 or more",
      "author",
    ],
    [
      { ...base, author: { ...author, timestamp: 2 ** 53 } },
      "author.timestamp must be whole unix seconds, 0 or more",
      "author",
    ],
    [
      { ...base, author: { ...author, timezoneOffset: 1440 } },
      "author.timezoneOffset must be whole minutes within a day",
      "author",
    ],
    [
      { ...base, author: { ...author, timezoneOffset: -1440 } },
      "author.timezoneOffset must be whole minutes within a day",
      "author",
    ],
    [
      { ...base, author: { ...author, timezoneOffset: 0.5 } },
      "author.timezoneOffset must be whole minutes within a day",
      "author",
    ],
    [
      { ...base, branch: "HEAD" },
      'branch must be a valid branch name (letters, digits, ".", "_", "/", "-"; not HEAD)',
      "branch",
    ],
    [
      { ...base, from: "a..b" },
      'from must be a valid branch name (letters, digits, ".", "_", "/", "-"; not HEAD)',
      "from",
    ],
    [
      { ...base, parent: "ABC" },
      "parent must be a commit id (40 lowercase hex), or null for a branch that must not exist",
      "parent",
    ],
    [{ ...base, allowEmpty: "yes" }, "allowEmpty must be a boolean", "allowEmpty"],
    [{ ...base, files: [["a", "x"]] }, "files must be an object or a Map of path → content", "files"],
    [{ ...base, files: new (class Files {})() }, "files must be an object or a Map of path → content", "files"],
    [{ ...base, files: new Map([[1, "x"]]) }, 'files: "1" cannot be written: it is not a string', "files"],
    [{ ...base, files: { "a/../b": "x" } }, 'files: "a/../b" cannot be written: it has a .. part', "files"],
    [{ ...base, files: { a: 1 } }, 'files: "a" must be a well-formed string, a Uint8Array, a Blob or null', "files"],
    [
      { ...base, files: { a: "\uD800" } },
      'files: "a" must be a well-formed string, a Uint8Array, a Blob or null',
      "files",
    ],
    [{ ...base, files: { a: "x", "a/b": "y" } }, 'files: "a" cannot be a file and a folder at once', "files"],
    [{ ...base, files: { "a/b/c": "y", "a/b": "x" } }, 'files: "a/b" cannot be a file and a folder at once', "files"],
  ])("refuses %j", (input, message, field) => {
    expect(refusal(input)).toMatchObject({ _tag: "InvalidInputError", message, field });
  });

  it("lets a deleted path be a folder of a written file, and a timezone just inside a day", () => {
    expect(checkCommit({ ...base, files: { a: null, "a/b": "y" } }).isOk()).toBe(true);
    expect(checkCommit({ ...base, author: { ...author, timezoneOffset: 1439, timestamp: 0 } }).isOk()).toBe(true);
  });

  it("checks a read: HEAD is no ref, paths are copied, folders end in a slash", () => {
    const paths = ["a.txt", "docs/"];
    const checked = checkRead({ ref: "HEAD", paths })._unsafeUnwrap();
    expect(checked).toEqual({ ref: undefined, paths });
    expect(checked.paths).not.toBe(paths);
    expect(checkRead(undefined as never)._unsafeUnwrap()).toEqual({ ref: undefined, paths: undefined });
    expect(checkRead({ ref: "1".repeat(40) })._unsafeUnwrap().ref).toBe("1".repeat(40));
    expect(checkRead({ ref: "v1.0" })._unsafeUnwrap().ref).toBe("v1.0");
    expect(checkRead({ paths: ["foo\\bar", ".git/x"] }).isOk()).toBe(true); // reads take what is in the tree
  });

  it.each([
    ["x", "the read must be an object", "input"],
    [{ ref: "a b" }, "ref must be a branch, a tag, a commit id or HEAD", "ref"],
    [{ paths: "a" }, "paths must be an array of paths", "paths"],
    [{ paths: [""] }, 'paths: "" is not a file or folder path', "paths"],
    [{ paths: ["/"] }, 'paths: "/" is not a file or folder path', "paths"],
    [{ paths: ["a//"] }, 'paths: "a//" is not a file or folder path', "paths"],
    [{ paths: ["a/./b"] }, 'paths: "a/./b" is not a file or folder path', "paths"],
    [{ paths: [".."] }, 'paths: ".." is not a file or folder path', "paths"],
    [{ paths: ["a\0"] }, 'paths: "a\\u0000" is not a file or folder path', "paths"],
    [{ paths: ["\uD800"] }, 'paths: "\\ud800" is not a file or folder path', "paths"],
    [{ paths: ["x".repeat(4097)] }, `paths: "${"x".repeat(4097)}" is not a file or folder path`, "paths"],
    [{ paths: [7] }, "paths: 7 is not a file or folder path", "paths"],
  ])("refuses the read %j", (input, message, field) => {
    expect(checkRead(input as never)._unsafeUnwrapErr()).toMatchObject({ message, field });
  });

  it.each(["main", "feature/x", "v1.2", "a-b_c", "A9", "x".repeat(255)])("takes %j as a branch name", (name) => {
    expect(isRefName(name)).toBe(true);
  });

  it.each([
    "",
    "HEAD",
    "-x",
    ".x",
    "a..b",
    "a//b",
    "a/.b",
    "a.lock",
    "a.lock/b",
    "a/",
    "a.",
    "a b",
    "a~1",
    "é",
    "x".repeat(256),
    7,
  ])("refuses %j as a branch name, as git check-ref-format --branch would", (name) => {
    expect(isRefName(name)).toBe(false);
  });
});

describe("the rules the calls share: each call's input, one rule at a time", () => {
  const OID = "a".repeat(40);
  const refusal = (result: { isErr(): boolean; _unsafeUnwrapErr(): unknown }) => {
    const error = result._unsafeUnwrapErr() as { _tag: string; message: string; field: string };
    return [error._tag, error.message, error.field];
  };
  const BRANCH = 'must be a valid branch name (letters, digits, ".", "_", "/", "-"; not HEAD)';

  it("a ref is a branch, a tag, a commit id or HEAD; an optional one reads HEAD as the default branch", () => {
    expect(refField("from", "HEAD")._unsafeUnwrap()).toBe("HEAD");
    expect(refusal(refField("from", 5))).toEqual([
      "InvalidInputError",
      "from must be a branch, a tag, a commit id or HEAD",
      "from",
    ]);
    expect(defaultRef("ref", undefined)._unsafeUnwrap()).toBeUndefined();
    expect(defaultRef("ref", "HEAD")._unsafeUnwrap()).toBeUndefined();
    expect(defaultRef("ref", OID)._unsafeUnwrap()).toBe(OID);
    expect(refusal(defaultRef("ref", "a..b"))[1]).toBe("ref must be a branch, a tag, a commit id or HEAD");
    expect(refusal(branchField("into", "HEAD"))).toEqual(["InvalidInputError", `into ${BRANCH}`, "into"]);
    expect(commitField("parent", undefined)._unsafeUnwrap()).toBeUndefined();
    expect(refusal(commitField("parent", "main"))[1]).toBe("parent must be a commit id (40 lowercase hex)");
    expect(booleanField("squash", undefined)._unsafeUnwrap()).toBe(false);
    expect(booleanField("squash", undefined, true)._unsafeUnwrap()).toBe(true);
    expect(refusal(booleanField("squash", "yes"))).toEqual(["InvalidInputError", "squash must be a boolean", "squash"]);
    expect(messageField("message", undefined)._unsafeUnwrap()).toBeUndefined();
    expect(refusal(messageField("message", "a\0b"))[1]).toBe("message must be a well-formed string without NUL");
  });

  it("a side of a diff or a merge: a ref, or { repo, ref } of another repo with a client only", () => {
    expect(specField("from", { repo: "fork" }, true)._unsafeUnwrap()).toStrictEqual({ repo: "fork" });
    expect(specField("from", { repo: "fork", ref: "HEAD" }, true)._unsafeUnwrap()).toEqual({
      repo: "fork",
      ref: "HEAD",
    });
    expect(refusal(specField("from", { repo: "fork" }, false))[1]).toBe(
      "from: another repo can be named with a client only",
    );
    expect(refusal(specField("to", { repo: "fork", ref: "a b" }, true))).toEqual([
      "InvalidInputError",
      "to.ref must be a branch, a tag, a commit id or HEAD",
      "to",
    ]);
  });

  it("branches and tags", () => {
    expect(checkCreateBranch({ name: "a", from: "HEAD" })._unsafeUnwrap()).toEqual({ name: "a", from: "HEAD" });
    expect(refusal(checkCreateBranch("a"))[1]).toBe(`name ${BRANCH}`);
    expect(checkDeleteRef({ name: "v1.0", parent: OID }, "tag")._unsafeUnwrap()).toEqual({ name: "v1.0", parent: OID });
    expect(refusal(checkDeleteRef({ name: "HEAD" }, "tag"))[1]).toBe("name must be a valid tag name");
    expect(refusal(checkDeleteRef({ name: "HEAD" }))[1]).toBe(`name ${BRANCH}`);
    expect(checkTag({ name: "v1", from: "main" })._unsafeUnwrap()).toEqual({ name: "v1", from: "main" });
    const tagger = { ...author, timestamp: 1, timezoneOffset: 0 };
    expect(checkTag({ name: "v1", from: "main", message: "m", tagger })._unsafeUnwrap()).toEqual({
      name: "v1",
      from: "main",
      annotation: { tagger, message: "m" },
    });
    expect(refusal(checkTag({ name: "v1", from: "main", tagger }))).toEqual([
      "InvalidInputError",
      "tagger is for an annotated tag: give a message too",
      "message",
    ]);
    expect(refusal(checkTag({ name: "v1", from: "main", message: "a\0" }))[2]).toBe("message");
    expect(refusal(checkTag({ name: "v1", from: "main", message: "m" }))).toEqual([
      "InvalidInputError",
      "tagger must be { name, email }",
      "tagger",
    ]);
  });

  it("a merge: its resolutions, its fast-forward and its commit's metadata", () => {
    const merge = { from: "side", into: "main", author: { ...author, timestamp: 1, timezoneOffset: 0 } };
    expect(checkMerge(merge, { client: false })._unsafeUnwrap()).toEqual({
      allowUnrelatedHistories: false,
      resolutions: new Map(),
      from: "side",
      into: "main",
      message: undefined,
      author: merge.author,
      parent: undefined,
      squash: false,
      fastForward: "allow",
    });
    const resolved = checkMerge(
      { ...merge, resolutions: { a: "text", b: new Uint8Array([1]), c: null }, fastForward: "only", squash: true },
      { client: false },
    )._unsafeUnwrap();
    expect(resolved.resolutions).toEqual(
      new Map<string, Uint8Array | null>([
        ["a", new TextEncoder().encode("text")],
        ["b", new Uint8Array([1])],
        ["c", null],
      ]),
    );
    expect([resolved.fastForward, resolved.squash]).toEqual(["only", true]);
    expect(refusal(checkMerge("x", { client: false }))[1]).toBe("the merge must be an object");
    for (const [input, message, field] of [
      [{ resolutions: [] }, "resolutions must be an object of path → bytes, text or null", "resolutions"],
      [{ resolutions: { a: 5 } }, 'resolutions: "a" must be bytes, well-formed text or null', "resolutions"],
      [{ resolutions: { a: "\uD800" } }, 'resolutions: "a" must be bytes, well-formed text or null', "resolutions"],
      [{ allowUnrelatedHistories: 1 }, "allowUnrelatedHistories must be a boolean", "allowUnrelatedHistories"],
      [{ fastForward: "sometimes" }, 'fastForward must be "allow", "never" or "only"', "fastForward"],
      [{ message: "a\0" }, "message must be a well-formed string without NUL", "message"],
      [{ author: {} }, "author.name must be a non-empty string without <, > or line breaks", "author"],
    ] as const) {
      expect(refusal(checkMerge({ ...merge, ...input }, { client: false })), JSON.stringify(input)).toEqual([
        "InvalidInputError",
        message,
        field,
      ]);
    }
  });

  it("a cherry-pick and a revert: 1 to 100 commits, the branch each names its own way", () => {
    const pick = { commits: ["main", OID], into: "release", author: { ...author, timestamp: 1, timezoneOffset: 0 } };
    expect(checkPick(pick, "into")._unsafeUnwrap()).toEqual({
      commits: ["main", OID],
      branch: "release",
      author: pick.author,
      parent: undefined,
      message: undefined,
    });
    const revert = { commits: [OID], branch: "main", author: pick.author, message: "undo", parent: OID };
    expect(checkPick(revert, "branch")._unsafeUnwrap()).toEqual({
      commits: [OID],
      branch: "main",
      author: pick.author,
      parent: OID,
      message: "undo",
    });
    // A pick keeps each commit's own message: a `message` is no field of its input.
    expect(checkPick({ ...pick, message: "a\0" }, "into")._unsafeUnwrap().message).toBeUndefined();
    for (const [input, field, message] of [
      [{ ...pick, commits: [] }, "into", "commits must be an array of 1 to 100 commits"],
      [{ ...pick, commits: Array(101).fill(OID) }, "into", "commits must be an array of 1 to 100 commits"],
      [{ ...pick, commits: "main" }, "into", "commits must be an array of 1 to 100 commits"],
      [{ ...pick, commits: ["a b"] }, "into", "commits must be commit ids, branches or tags"],
      [{ ...pick, commits: ["main", "a b"] }, "into", "commits must be commit ids, branches or tags"],
      [{ ...pick, into: "HEAD" }, "into", `into ${BRANCH}`],
      [{ ...revert, branch: undefined }, "branch", `branch ${BRANCH}`],
      [{ ...revert, message: "a\0" }, "branch", "message must be a well-formed string without NUL"],
      [{ ...pick, parent: "main" }, "into", "parent must be a commit id (40 lowercase hex)"],
    ] as const) {
      expect(refusal(checkPick(input, field))[1], JSON.stringify(input)).toBe(message);
    }
    expect(refusal(checkPick(null, "into"))[1]).toBe("the input must be an object");
    expect(checkPick({ ...pick, commits: Array(100).fill(OID) }, "into").isOk()).toBe(true);
  });

  it("a search: one line of pattern, booleans, bounds", () => {
    expect(checkGrep({ pattern: "TODO", ref: "HEAD" })._unsafeUnwrap()).toEqual({
      pattern: "TODO",
      ref: undefined,
      paths: undefined,
      fixedStrings: false,
      ignoreCase: false,
      maxMatches: 1000,
      maxBytes: Number.POSITIVE_INFINITY,
    });
    expect(checkGrep({ pattern: "", maxMatches: 1, maxBytes: 0, paths: ["a/"] })._unsafeUnwrap()).toMatchObject({
      maxMatches: 1,
      maxBytes: 0,
      paths: ["a/"],
    });
    for (const [input, message, field] of [
      [{ pattern: 5 }, "pattern must be a string of one line", "pattern"],
      [{ pattern: "a\nb" }, "pattern must be a string of one line", "pattern"],
      [{ pattern: "a\0" }, "pattern must be a string of one line", "pattern"],
      [{ pattern: "a", ref: "a..b" }, "ref must be a branch, a tag, a commit id or HEAD", "ref"],
      [{ pattern: "a", fixedStrings: 1 }, "fixedStrings must be a boolean", "fixedStrings"],
      [{ pattern: "a", ignoreCase: "no" }, "ignoreCase must be a boolean", "ignoreCase"],
      [{ pattern: "a", maxMatches: 0 }, "maxMatches must be a whole number of at least 1", "maxMatches"],
      [{ pattern: "a", maxMatches: 1.5 }, "maxMatches must be a whole number of at least 1", "maxMatches"],
      [{ pattern: "a", maxBytes: -1 }, "maxBytes must be a whole number of bytes", "maxBytes"],
      [{ pattern: "a", maxBytes: 0.5 }, "maxBytes must be a whole number of bytes", "maxBytes"],
      [{ pattern: "a", paths: ["../x"] }, 'paths: "../x" is not a file or folder path', "paths"],
    ] as const) {
      expect(refusal(checkGrep(input)), JSON.stringify(input)).toEqual(["InvalidInputError", message, field]);
    }
    expect(refusal(checkGrep(undefined))[1]).toBe("the search must be an object");
  });

  it("a page of history: its limit, its cursor, first parents", () => {
    expect(checkLog(undefined)._unsafeUnwrap()).toEqual({
      ref: undefined,
      paths: undefined,
      limit: 100,
      tip: undefined,
      offset: 0,
      firstParent: false,
    });
    expect(checkLog({ ref: "HEAD", limit: 1000, cursor: `${OID}.200`, firstParent: true })._unsafeUnwrap()).toEqual({
      ref: undefined,
      paths: undefined,
      limit: 1000,
      tip: OID,
      offset: 200,
      firstParent: true,
    });
    for (const [input, message, field] of [
      [{ limit: 0 }, "limit must be a whole number from 1 to 1000", "limit"],
      [{ limit: 1001 }, "limit must be a whole number from 1 to 1000", "limit"],
      [{ limit: 2.5 }, "limit must be a whole number from 1 to 1000", "limit"],
      [{ cursor: "next" }, "cursor must be one a page of listCommits returned", "cursor"],
      [{ cursor: `${OID}.` }, "cursor must be one a page of listCommits returned", "cursor"],
      [{ cursor: `x${OID}.1` }, "cursor must be one a page of listCommits returned", "cursor"],
      [{ cursor: `${OID}.1x` }, "cursor must be one a page of listCommits returned", "cursor"],
      [{ firstParent: "yes" }, "firstParent must be a boolean", "firstParent"],
      [{ ref: "a b" }, "ref must be a branch, a tag, a commit id or HEAD", "ref"],
    ] as const) {
      expect(refusal(checkLog(input)), JSON.stringify(input)).toEqual(["InvalidInputError", message, field]);
    }
    expect(refusal(checkLog("main"))[1]).toBe("the input must be an object");
    expect(checkLog({ limit: 1 })._unsafeUnwrap().limit).toBe(1);
  });

  it("a streamed read: an object with one file's path", () => {
    expect(checkStreamRead({ path: "a/b.bin", ref: "HEAD" })._unsafeUnwrap()).toEqual({
      ref: undefined,
      path: "a/b.bin",
    });
    expect(refusal(checkStreamRead(null as never))).toEqual([
      "InvalidInputError",
      "the read must be an object",
      "input",
    ]);
    expect(refusal(checkStreamRead({ path: "a/../b" }))).toEqual([
      "InvalidInputError",
      "path must be a file's path (no empty, . or .. part)",
      "path",
    ]);
    expect(refusal(checkStreamRead({ path: "x".repeat(4097) }))[2]).toBe("path");
    expect(checkStreamRead({ path: "x".repeat(4096) }).isOk()).toBe(true);
  });
});
