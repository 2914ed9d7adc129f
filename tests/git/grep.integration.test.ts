import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type GrepFilesInput, type GrepMatch, grepFiles } from "../../src/git/index.js";
import { createRepo } from "../../src/index.js";
import { gitBytes, gitCli, tempDir, withBearer } from "../support/git.js";
import { useLocalServer } from "../support/local-server.js";

/** grepFiles judged by `git grep -E -n --column -I` (the C locale: bytes), with and without filter. */

const withFilter = useLocalServer();
const withoutFilter = useLocalServer({ gitFilter: false });
let work: string;

beforeAll(async () => {
  process.env.LC_ALL = "C"; // git's regexes over bytes, as grepFiles reads them
  work = await tempDir("grep-");
  const files: [string | Buffer, string | Buffer][] = [
    ["src/a.ts", "const x = 1;\n// TODO: fix (soon)\nfunction foo() {}\n"],
    ["src/deep/b.ts", "todo lower\nTODO upper\nTODOS\n"],
    ["docs/readme.md", "Hello\r\nTODO crlf\r\n"],
    ["empty.txt", ""],
    ["bin.dat", Buffer.from("abc\0TODO")],
    ["src/bin2.ts", Buffer.from("TODO\0 binary too")],
    ["noeol.txt", "last TODO"],
    [Buffer.from("latin-\xe9.txt", "latin1"), "TODO in a latin-1 name\n"],
    ["utf8-é.txt", "café TODO\n"],
    ["latin-content.txt", Buffer.from("caf\xe9 TODO\n", "latin1")],
  ];
  for (const [path, content] of files) {
    const file = Buffer.concat([Buffer.from(`${work}/`), Buffer.from(path)]);
    await mkdir(join(work, String(path).split("/").slice(0, -1).join("/")), { recursive: true });
    await writeFile(file, content);
  }
  await symlink("TODO-target", join(work, "link"));
  await gitCli(["init", "--quiet", "-b", "main"], work);
  await gitCli(["add", "-A"], work);
  await gitCli(["commit", "--quiet", "-m", "files"], work);
});

let count = 0;
async function pushed(local: typeof withFilter) {
  const name = `grep-${++count}`;
  const created = (await createRepo(local.client, { name }))._unsafeUnwrap();
  await gitCli(withBearer(created.token, ["push", "--quiet", created.remote, "main"]), work);
  return { remote: created.remote, token: created.token };
}

/** git grep's answer, as bytes: `main:<path>\0<line>\0<column>\0<text>` a line. */
async function gitGrep(input: GrepFilesInput) {
  const flags = [...(input.fixedStrings ? ["-F"] : ["-E"]), ...(input.ignoreCase ? ["-i"] : [])];
  const args = [
    "grep",
    "-n",
    "--column",
    "-I",
    "-z",
    ...flags,
    "-e",
    input.pattern,
    "main",
    "--",
    ...(input.paths ?? []),
  ];
  const { stdout } = await gitBytes(args, { cwd: work });
  const found: { path: string; line: number; column: number; text: string }[] = [];
  for (let start = 0; start < stdout.length; ) {
    const end = stdout.indexOf(10, start);
    const record = stdout.subarray(start, end === -1 ? stdout.length : end);
    start = end === -1 ? stdout.length : end + 1;
    const [path = "", line, column, ...text] = record.toString("latin1").split("\0");
    found.push({ path: path.slice("main:".length), line: Number(line), column: Number(column), text: text.join("\0") });
  }
  return found;
}
const asBytes = (match: GrepMatch) => ({
  path: Buffer.from(match.pathBytes ?? Buffer.from(match.path)).toString("latin1"),
  line: match.line,
  column: match.column,
  text: Buffer.from(match.textBytes ?? Buffer.from(match.text)).toString("latin1"),
});

const searches: GrepFilesInput[] = [
  { pattern: "TODO" },
  { pattern: "todo", ignoreCase: true },
  { pattern: "[[:upper:]]{4}S?$" },
  // Brackets the POSIX way: a `]` first is a member, `^` negates, ranges, classes.
  { pattern: "[]T]ODO" },
  { pattern: "[^a-z ]ODO" },
  { pattern: "[A-Z]{4}S" },
  { pattern: "= [[:digit:]];" },
  { pattern: "^TODO" },
  { pattern: "TODO\r?$" },
  { pattern: "fo+|x = 1" },
  { pattern: "\\<TODO\\>" },
  { pattern: "caf." },
  { pattern: "é" },
  { pattern: "(soon)", fixedStrings: true },
  { pattern: "a.b", fixedStrings: true },
  { pattern: "" },
  { pattern: "nothing matches this" },
  { pattern: "TODO", paths: ["src/"] },
  { pattern: "TODO", paths: ["*.md"] },
  { pattern: "TODO", paths: ["src/**/*.ts"] },
  { pattern: "TODO", paths: ["src"] },
  { pattern: "TODO", paths: ["no/such/folder"] },
];

describe.each([
  ["with filter", withFilter],
  ["without filter", withoutFilter],
])("grepFiles %s", (_, local) => {
  it("finds the lines git grep finds, at the same columns, in the same order", async () => {
    const target = await pushed(local);
    const head = (await gitCli(["rev-parse", "main"], work)).stdout.trim();
    for (const search of searches) {
      const found = (await grepFiles(target, search))._unsafeUnwrap();
      expect(found.matches.map(asBytes), JSON.stringify(search)).toEqual(await gitGrep(search));
      expect(found.commit).toBe(head);
      expect(found.truncated).toBe(false);
    }
  });

  it("lists the binary files it skipped", async () => {
    const target = await pushed(local);
    expect((await grepFiles(target, { pattern: "TODO" }))._unsafeUnwrap().binarySkipped).toEqual([
      "bin.dat",
      "src/bin2.ts",
    ]);
    expect((await grepFiles(target, { pattern: "TODO", paths: ["src/"] }))._unsafeUnwrap().binarySkipped).toEqual([
      "src/bin2.ts",
    ]);
  });

  it("stops at maxMatches and at maxBytes, saying truncated", async () => {
    const target = await pushed(local);
    const all = await gitGrep({ pattern: "TODO" });
    const first = (await grepFiles(target, { pattern: "TODO", maxMatches: 2 }))._unsafeUnwrap();
    expect(first.matches.map(asBytes)).toEqual(all.slice(0, 2));
    expect(first.truncated).toBe(true);
    const exact = (await grepFiles(target, { pattern: "TODO", maxMatches: all.length }))._unsafeUnwrap();
    expect(exact.truncated).toBe(false);
    // bin.dat (8 bytes) and docs/readme.md (18) fit in 30 bytes; empty.txt (0) too; the next file does not.
    const bounded = (await grepFiles(target, { pattern: "TODO", maxBytes: 30 }))._unsafeUnwrap();
    expect(bounded.matches.map(asBytes)).toEqual(all.filter((match) => match.path === "docs/readme.md"));
    expect(bounded.truncated).toBe(true);
  });
});

describe("grepFiles input", () => {
  it("refuses a pattern that does not compile, and bad bounds, before anything is sent", async () => {
    const target = {
      remote: "http://127.0.0.1:9/git/default/none.git",
      token: "art_v1_0123456789abcdef0123456789abcdef01234567",
    };
    for (const [input, field] of [
      [{ pattern: "(" }, "pattern"],
      [{ pattern: "[abc" }, "pattern"],
      [{ pattern: "[[:nope:]]" }, "pattern"],
      [{ pattern: "a\nb" }, "pattern"],
      [{ pattern: 3 }, "pattern"],
      [{ pattern: "a", maxMatches: 0 }, "maxMatches"],
      [{ pattern: "a", maxBytes: -1 }, "maxBytes"],
      [{ pattern: "a", ref: "a..b" }, "ref"],
      [{ pattern: "a", paths: "src" }, "paths"],
    ] as const) {
      const refused = await grepFiles(target, input as never);
      expect(refused._unsafeUnwrapErr(), JSON.stringify(input)).toMatchObject({ _tag: "InvalidInputError", field });
    }
  });
});
