import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CommitFilesInput, commitFiles, type ReadFilesInput, readFiles } from "../../src/git/index.js";
import { createClient, createRepo } from "../../src/index.js";
import { type ArtifactsServer, startArtifactsServer } from "../../src/testing/index.js";
import { gitBytes, removeTempDirs, tempDir, withBearer } from "../support/git.js";
import { type Simulator, simulatorAvailable, startSimulator } from "../support/simulator.js";

/**
 * Trees someone else pushed with the git CLI hold what this SDK would never write: names that are not UTF-8
 * (two that differ only in their invalid bytes), a backslash, a legacy `100664`, a symlink, a submodule (gitlink)
 * and an executable. A commit of an unrelated file must keep every one of them byte for byte, and a read must
 * account for each file exactly once. Judged by git, on our local server and on Cloudflare's own simulator.
 */

const author = { name: "Ada Agent", email: "ada@example.com", timestamp: 1_764_000_000, timezoneOffset: 0 };
const bytes = (text: string) => Buffer.from(text, "latin1");
const RESUME_E9 = bytes("r\xe9sum\xe9"); // "résumé" in Latin-1: not UTF-8
const RESUME_E8 = bytes("r\xe8sum\xe8"); // differs from the above only in its invalid bytes

interface Remote {
  remote: string;
  token: string;
  commit(input: CommitFilesInput): ReturnType<typeof commitFiles>;
  read(input: ReadFilesInput): ReturnType<typeof readFiles>;
}

async function git(args: string[], options: { cwd?: string; input?: Uint8Array } = {}): Promise<Buffer> {
  const result = await gitBytes(args, options);
  if (result.code !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

/** Pushes, with the git CLI, a commit whose tree holds everything above; resolves to that commit. */
async function pushForeignTree(remote: string, token: string): Promise<string> {
  const dir = await tempDir();
  await git(["init", "--quiet", "--bare", dir]);
  const blob = async (content: string) =>
    (await git(["hash-object", "-w", "--stdin"], { cwd: dir, input: Buffer.from(content) })).toString().trim();
  const tree = async (entries: [string, string, string, Buffer][]) =>
    (
      await git(["mktree", "-z", "--missing"], {
        cwd: dir,
        input: Buffer.concat(
          entries.map(([mode, type, oid, name]) =>
            Buffer.concat([bytes(`${mode} ${type} ${oid}\t`), name, bytes("\0")]),
          ),
        ),
      })
    )
      .toString()
      .trim();
  const docs = await tree([
    ["100644", "blob", await blob("latin-1 e9"), RESUME_E9],
    ["100644", "blob", await blob("latin-1 e8"), RESUME_E8],
    ["100644", "blob", await blob("# Guide\n"), bytes("guide.md")],
  ]);
  const vendor = await tree([["160000", "commit", "1234567890abcdef1234567890abcdef12345678", bytes("lib")]]);
  const root = await tree([
    ["100644", "blob", await blob("# Readme\n"), bytes("README.md")],
    ["040000", "tree", docs, bytes("docs")],
    ["100644", "blob", await blob("a Linux name"), bytes("foo\\bar")],
    ["100664", "blob", await blob("group-writable, as git once wrote"), bytes("legacy.txt")],
    ["120000", "blob", await blob("README.md"), bytes("link")],
    ["100755", "blob", await blob("#!/bin/sh\necho hi\n"), bytes("run.sh")],
    ["040000", "tree", vendor, bytes("vendor")],
  ]);
  const commit = (await git(["commit-tree", root, "-m", "pushed by someone else"], { cwd: dir })).toString().trim();
  await git(withBearer(token, ["push", "--quiet", remote, `${commit}:refs/heads/main`]), { cwd: dir });
  return commit;
}

/** A bare mirror of the remote, fetched with the git CLI: the judge. */
async function mirror(remote: string, token: string): Promise<string> {
  const dir = await tempDir();
  await git(withBearer(token, ["clone", "--quiet", "--mirror", remote, dir]));
  return dir;
}

/**
 * `git fsck --strict` finds nothing, but for the legacy `100664` the fixture itself holds (someone else pushed it,
 * and a commit keeps it as it was).
 */
async function expectFsckClean(dir: string): Promise<void> {
  const fsck = await gitBytes(["-c", "fsck.badFilemode=ignore", "--git-dir", dir, "fsck", "--strict", "--no-dangling"]);
  expect(fsck.stderr).toBe("");
  expect(fsck.code).toBe(0);
}

/** `ls-tree -r -z` entries: mode, type, id and the name's exact bytes. */
async function entries(dir: string, commit: string) {
  const out = await git(["--git-dir", dir, "ls-tree", "-r", "-z", commit]);
  const list: { mode: string; type: string; oid: string; path: Buffer }[] = [];
  for (let start = 0; start < out.length; ) {
    const end = out.indexOf(0, start);
    const line = out.subarray(start, end);
    const tab = line.indexOf(0x09);
    const [mode = "", type = "", oid = ""] = line.subarray(0, tab).toString().split(" ");
    list.push({ mode, type, oid, path: Buffer.from(line.subarray(tab + 1)) });
    start = end + 1;
  }
  return list;
}

const remotes: {
  name: string;
  available: boolean;
  start: () => Promise<{ remote: Remote; close: () => Promise<void> }>;
}[] = [
  {
    name: "the local server, client form",
    available: true,
    async start() {
      const server: ArtifactsServer = await startArtifactsServer();
      const client = createClient({ ...server.clientOptions, retry: 0 });
      let count = 0;
      const open = async (): Promise<Remote> => {
        const name = `foreign-${++count}`;
        const repo = (await createRepo(client, { name }))._unsafeUnwrap();
        return {
          remote: repo.remote,
          token: repo.token,
          commit: (input) => commitFiles(client, name, input),
          read: (input) => readFiles(client, name, input),
        };
      };
      return { remote: await open(), close: () => server.close() };
    },
  },
  {
    name: "Cloudflare's simulator, { remote, token } form",
    available: simulatorAvailable,
    async start() {
      const simulator: Simulator = await startSimulator();
      const created = await simulator.create("foreign");
      return {
        remote: {
          ...created,
          commit: (input) => commitFiles(created, input),
          read: (input) => readFiles(created, input),
        },
        close: () => simulator.close(),
      };
    },
  },
];

afterAll(removeTempDirs);

describe.each(remotes.filter((remote) => remote.available))("a tree pushed by the git CLI, on $name", ({ start }) => {
  let target: Remote;
  let close: () => Promise<void>;
  let pushed: string;
  beforeAll(async () => {
    ({ remote: target, close } = await start());
    pushed = await pushForeignTree(target.remote, target.token);
  }, 90_000);
  afterAll(() => close?.());

  it("takes a commit of an unrelated file, every other entry byte-identical and fsck --strict clean", async () => {
    const made = (
      await target.commit({ message: "Add the index", author, files: { "docs/index.md": "# Index\n" } })
    )._unsafeUnwrap();
    expect(made).toMatchObject({ parent: pushed, branch: "main", unchanged: false });

    const judge = await mirror(target.remote, target.token);
    expect((await git(["--git-dir", judge, "rev-parse", "refs/heads/main"])).toString().trim()).toBe(made.commit);
    const diff = (await git(["--git-dir", judge, "diff-tree", "-r", "--raw", "-z", pushed, made.commit])).toString();
    const blobId = (await git(["--git-dir", judge, "rev-parse", `${made.commit}:docs/index.md`])).toString().trim();
    expect(diff).toBe(`:000000 100644 ${"0".repeat(40)} ${blobId} A\0docs/index.md\0`);

    const before = await entries(judge, pushed);
    const after = await entries(judge, made.commit);
    expect(after.filter((entry) => entry.path.toString() !== "docs/index.md")).toEqual(before);
    // ls-tree shows modes canonicalized: the raw trees show what is stored. The root differs from the pushed one
    // only in the id of `docs`, and `docs` only by its new entry.
    const raw = async (spec: string) => git(["--git-dir", judge, "cat-file", "tree", spec]);
    const id = async (spec: string) =>
      Buffer.from((await git(["--git-dir", judge, "rev-parse", spec])).toString().trim(), "hex");
    const [rootBefore, rootAfter] = [await raw(`${pushed}^{tree}`), await raw(`${made.commit}^{tree}`)];
    expect(rootBefore.includes(bytes("100664 legacy.txt\0"))).toBe(true);
    const oldDocs = await id(`${pushed}:docs`);
    expect(rootAfter.length).toBe(rootBefore.length);
    const at = rootBefore.indexOf(oldDocs);
    expect(Buffer.concat([rootAfter.subarray(0, at), oldDocs, rootAfter.subarray(at + 20)]).equals(rootBefore)).toBe(
      true,
    );
    const newEntry = Buffer.concat([bytes("100644 index.md\0"), await id(`${made.commit}:docs/index.md`)]);
    const docsAfter = await raw(`${made.commit}:docs`);
    const entryAt = docsAfter.indexOf(newEntry);
    expect(entryAt).toBeGreaterThan(-1);
    expect(
      Buffer.concat([docsAfter.subarray(0, entryAt), docsAfter.subarray(entryAt + newEntry.length)]).equals(
        await raw(`${pushed}:docs`),
      ),
    ).toBe(true);

    // The legacy mode is the one finding fsck has, and it was there before: nothing this commit wrote is flagged.
    await expectFsckClean(judge);
  });

  it("reads every file exactly once: UTF-8 names in files, the others with their bytes in nonUtf8Files", async () => {
    const judge = await mirror(target.remote, target.token);
    const all = (await entries(judge, "refs/heads/main")).filter((entry) => entry.type === "blob");
    const read = (await target.read({}))._unsafeUnwrap();
    expect(read.files.size + read.nonUtf8Files.length).toBe(all.length);
    for (const entry of all) {
      const content = await git(["--git-dir", judge, "cat-file", "blob", entry.oid]);
      const byName = read.files.get(entry.path.toString("utf8"));
      const byBytes = read.nonUtf8Files.find((file) => Buffer.from(file.pathBytes).equals(entry.path));
      expect([byName, byBytes].filter(Boolean)).toHaveLength(1);
      expect(Buffer.from((byName ?? byBytes?.content) as Uint8Array).equals(content)).toBe(true);
    }
    expect(read.nonUtf8Files.map((file) => file.path)).toEqual(["docs/r\ufffdsum\ufffd", "docs/r\ufffdsum\ufffd"]);
    expect(read.nonUtf8Files.map((file) => Buffer.from(file.pathBytes))).toEqual([
      Buffer.from("docs/r\xe8sum\xe8", "latin1"),
      Buffer.from("docs/r\xe9sum\xe9", "latin1"),
    ]);
    expect(new TextDecoder().decode(read.files.get("foo\\bar"))).toBe("a Linux name");
    expect(new TextDecoder().decode(read.files.get("link"))).toBe("README.md");
    expect(read.files.has("vendor/lib")).toBe(false); // a submodule is not a file

    const docs = (await target.read({ paths: ["docs/"] }))._unsafeUnwrap();
    expect([...docs.files.keys()].sort()).toEqual(["docs/guide.md", "docs/index.md"]);
    expect(docs.nonUtf8Files).toHaveLength(2);
  });

  it("keeps a UTF-8 name apart from the Latin-1 one it resembles, and edits next to them", async () => {
    const made = (
      await target.commit({
        message: "A real résumé",
        author,
        files: { "docs/résumé": "utf-8", "legacy.txt": "rewritten", "docs/guide.md": null },
      })
    )._unsafeUnwrap();
    const judge = await mirror(target.remote, target.token);
    const docs = (await entries(judge, made.commit)).filter(
      (entry) => entry.path.subarray(0, 5).toString() === "docs/",
    );
    // In Git's byte order: the UTF-8 `é` (0xc3 0xa9) sorts before the Latin-1 0xe8 and 0xe9.
    expect(docs.map((entry) => entry.path)).toEqual([
      Buffer.from("docs/index.md"),
      Buffer.from("docs/résumé"),
      Buffer.from("docs/r\xe8sum\xe8", "latin1"),
      Buffer.from("docs/r\xe9sum\xe9", "latin1"),
    ]);
    // Content given anew is a regular file: the legacy mode goes with the old content.
    const root = await git(["--git-dir", judge, "cat-file", "tree", `${made.commit}^{tree}`]);
    expect(root.includes(bytes("100644 legacy.txt\0"))).toBe(true);
    expect(root.includes(bytes("100664"))).toBe(false);
    await expectFsckClean(judge);
  });
});
