import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mergeText } from "../../../src/git/merge/xmerge.js";
import { objectId } from "../../../src/git/objects/hash.js";
import { encodeTree, toByteString, toBytes } from "../../../src/git/objects/tree.js";
import { gitBytes } from "../../support/git.js";
import { type Case, corpus } from "../../support/text-corpus.js";

/**
 * The line merge judged by git itself: each case is three versions of one file, committed (base, then ours and
 * theirs on it) and merged by `git merge-tree --write-tree` (merge-ort: the histogram diff, xdiff's zealous merge).
 * Clean here must be clean there with the same tree id, byte for byte; a conflict there must be one here. The corpus
 * is seeded: code-like lines that repeat (`}`, blank lines), BOMs, CRLF, files without a final newline, Latin-1.
 */

const CASES = process.env.STRESS ? 5000 : 600;
let repo: string;
/** git in the oracle's repo, text in and out as byte strings (latin1). */
const run = async (args: string[], input?: string) => {
  const ran = await gitBytes(args, {
    cwd: repo,
    input: input === undefined ? undefined : Buffer.from(input, "latin1"),
  });
  return { code: ran.code, stdout: ran.stdout.toString("latin1") };
};

beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), "xmerge-oracle-"));
  await new Promise((resolve) => execFile("git", ["init", "--quiet", "--bare", repo], resolve));
});
afterAll(() => rm(repo, { recursive: true, force: true }));

/** Every case as three commits made by one `git fast-import`: `refs/heads/o<n>` and `refs/heads/t<n>`. */
async function commitAll(cases: Case[]) {
  const chunks: string[] = [];
  const blob = (text: string) => `blob\ndata ${Buffer.byteLength(text, "latin1")}\n${text}\n`;
  const commit = (ref: string, mark: number, parent: number | undefined, blobMark: number) =>
    `commit ${ref}\nmark :${mark}\ncommitter T <t@e> 0 +0000\ndata 0\n${parent ? `from :${parent}\n` : ""}M 100644 :${blobMark} f\n`;
  let mark = 1;
  for (const [n, { base, ours, theirs }] of cases.entries()) {
    const [b, o, t, cb, co, ct] = [mark, mark + 1, mark + 2, mark + 3, mark + 4, mark + 5];
    mark += 6;
    chunks.push(`blob\nmark :${b}\n${blob(base).slice(5)}`);
    chunks.push(`blob\nmark :${o}\n${blob(ours).slice(5)}`);
    chunks.push(`blob\nmark :${t}\n${blob(theirs).slice(5)}`);
    chunks.push(commit(`refs/heads/b${n}`, cb, undefined, b));
    chunks.push(commit(`refs/heads/o${n}`, co, cb, o));
    chunks.push(commit(`refs/heads/t${n}`, ct, cb, t));
  }
  const imported = await run(["fast-import", "--quiet"], chunks.join(""));
  expect(imported.code).toBe(0);
}

/** The tree of one file `f` holding `text`, as git writes it. */
async function treeOf(text: string): Promise<string> {
  const blob = await objectId("blob", toBytes(text));
  return objectId(
    "tree",
    encodeTree([{ mode: "100644", name: toByteString(new TextEncoder().encode("f")), oid: blob }]),
  );
}

describe("the line merge, judged by git merge-tree", () => {
  it(`agrees with git on ${CASES} seeded cases: clean with the same bytes, or a conflict on both sides`, async () => {
    const cases = corpus(CASES);
    await commitAll(cases);
    const disagreements: string[] = [];
    let clean = 0;
    for (const [n, item] of cases.entries()) {
      const git = await run(["merge-tree", "--write-tree", `o${n}`, `t${n}`]);
      const ours = mergeText(item.base, item.ours, item.theirs);
      const gitTree = git.code === 0 ? git.stdout.trim() : undefined;
      const ourTree = ours === undefined ? undefined : await treeOf(ours);
      if (gitTree !== ourTree)
        disagreements.push(
          `case ${n}: git ${gitTree ?? "conflict"}, here ${ourTree ?? "conflict"} ${JSON.stringify(item)}`,
        );
      if (gitTree) clean++;
    }
    expect(disagreements.slice(0, 5)).toEqual([]);
    // The corpus exercises both outcomes.
    expect(clean).toBeGreaterThan(CASES / 10);
    expect(clean).toBeLessThan(CASES - CASES / 10);
  }, 600_000);
});
